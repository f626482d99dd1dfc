using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace MaintProxy.Hosting;

/// <summary>
/// The folder of a settings file, where a file once seen that is now missing (removed, or renamed away
/// while a new copy is put in place) reads as a file that cannot be read instead of as no file: the
/// configuration reader takes an absent file on reload as an empty one, and applied it, leaving
/// the proxy with no routes (every request 404). Read as a failed load, it keeps the values in use
/// (<see cref="SettingsFileReloads"/>) until the file is back. A file that is there but cannot be opened
/// (saved with mode 0600 by another user) reads the same way: the reader opens it outside its error
/// handling, so the reload failed without a word, or, started by the link poll, ended the process.
/// </summary>
internal sealed class RemovedFileKeptProvider(IFileProvider folder) : IFileProvider
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public IFileInfo GetFileInfo(string subpath)
    {
        var file = folder.GetFileInfo(subpath);
        if (file.Exists && UnreadableReason(file) is { } unreadable)
        {
            return new FailingFile(file.Name, unreadable);
        }

        lock (_gate)
        {
            if (file.Exists)
            {
                _seen.Add(subpath);
                return file;
            }

            return _seen.Contains(subpath)
                ? new FailingFile(file.Name, new FileNotFoundException($"The settings file {file.Name} was removed or renamed.", file.Name))
                : file;
        }
    }

    public IDirectoryContents GetDirectoryContents(string subpath) => folder.GetDirectoryContents(subpath);

    public IChangeToken Watch(string filter) => folder.Watch(filter);

    // Opened as the reader opens it; only reloads get here.
    private static IOException? UnreadableReason(IFileInfo file)
    {
        if (file.PhysicalPath is not { } path)
        {
            return null;
        }

        try
        {
            File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite).Dispose();
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new IOException($"The settings file {file.Name} cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>Exists, so that it is read; its reading fails inside the reader's error handling (a null PhysicalPath makes it read the stream).</summary>
    private sealed class FailingFile(string name, IOException failure) : IFileInfo
    {
        public bool Exists => true;

        public long Length => 0;

        public string? PhysicalPath => null;

        public string Name => name;

        public DateTimeOffset LastModified => DateTimeOffset.MinValue;

        public bool IsDirectory => false;

        public Stream CreateReadStream() => new FailingStream(failure);
    }

    private sealed class FailingStream(IOException failure) : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw failure;

        public override int Read(Span<byte> buffer) => throw failure;

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw failure;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw failure;
    }
}
