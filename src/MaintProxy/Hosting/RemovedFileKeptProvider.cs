using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace MaintProxy.Hosting;

/// <summary>
/// The folder of a settings file, where a file once seen that is now missing (removed, or renamed away
/// while a new copy is put in place) reads as a file that cannot be read instead of as no file: the
/// configuration reader takes an absent file on reload as an empty one, and applied it, leaving
/// the proxy with no routes (every request 404). Read as a failed load, it keeps the values in use
/// (<see cref="SettingsFileReloads"/>) until the file is back.
/// </summary>
internal sealed class RemovedFileKeptProvider(IFileProvider folder) : IFileProvider
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public IFileInfo GetFileInfo(string subpath)
    {
        var file = folder.GetFileInfo(subpath);
        lock (_gate)
        {
            if (file.Exists)
            {
                _seen.Add(subpath);
                return file;
            }

            return _seen.Contains(subpath) ? new RemovedFile(file.Name) : file;
        }
    }

    public IDirectoryContents GetDirectoryContents(string subpath) => folder.GetDirectoryContents(subpath);

    public IChangeToken Watch(string filter) => folder.Watch(filter);

    /// <summary>Exists, so that it is read; its reading fails inside the reader's error handling (a null PhysicalPath makes it read the stream).</summary>
    private sealed class RemovedFile(string name) : IFileInfo
    {
        public bool Exists => true;

        public long Length => 0;

        public string? PhysicalPath => null;

        public string Name => name;

        public DateTimeOffset LastModified => DateTimeOffset.MinValue;

        public bool IsDirectory => false;

        public Stream CreateReadStream() => new RemovedFileStream(name);
    }

    private sealed class RemovedFileStream(string name) : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw Missing();

        public override int Read(Span<byte> buffer) => throw Missing();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw Missing();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw Missing();

        private FileNotFoundException Missing() => new($"The settings file {name} was removed or renamed.", name);
    }
}
