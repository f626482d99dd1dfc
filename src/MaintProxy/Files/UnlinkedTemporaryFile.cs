namespace MaintProxy.Files;

/// <summary>
/// A temporary file in <c>TMPDIR</c> that is unlinked as soon as it is open: the handle keeps the data,
/// and a process that is killed leaves nothing behind. It is created readable and writable by its owner
/// only (as nginx's temporary files): until the unlink, anyone who can list a shared <c>TMPDIR</c> could
/// otherwise open it and keep reading the request or response bodies written to it.
/// </summary>
internal static class UnlinkedTemporaryFile
{
    public static FileStream Create(string namePrefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{namePrefix}-{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
            // Unbuffered: closing it has nothing left to write, so a full disk cannot keep its descriptor open.
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var file = new FileStream(path, options);
        try
        {
            File.Delete(path);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
