using Microsoft.Win32.SafeHandles;

namespace MaintProxy.Files;

/// <summary>
/// A temporary file in <c>TMPDIR</c> that is unlinked as soon as it is open: the handle keeps the data,
/// and a process that is killed leaves nothing behind.
/// </summary>
internal static class UnlinkedTemporaryFile
{
    public static SafeFileHandle Create(string namePrefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{namePrefix}-{Guid.NewGuid():N}.tmp");
        var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.Asynchronous);
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
