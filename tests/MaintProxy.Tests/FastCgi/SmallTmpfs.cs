using System.Diagnostics;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// A tmpfs of a few hundred KiB mounted on a folder of the test's own, to fill the proxy's
/// <c>TMPDIR</c> for real (No space left on device). Needs the right to mount (root).
/// </summary>
internal sealed class SmallTmpfs : IDisposable
{
    private readonly string _path;

    private SmallTmpfs(string path) => _path = path;

    /// <summary>
    /// The mount, or null (with the reason) where this process is not root and may not mount. As root
    /// (as in CI), a mount that fails is an error, so the tests that need it cannot pass without running.
    /// </summary>
    public static SmallTmpfs? TryMount(string path, int kibibytes, out string reason)
    {
        Directory.CreateDirectory(path);
        var (exitCode, output) = Run("mount", "-t", "tmpfs", "-o", $"size={kibibytes}k,mode=0700", "tmpfs", path);
        reason = output;
        if (exitCode != 0 && Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException($"mount -t tmpfs failed as root: {output.Trim()}");
        }

        return exitCode == 0 ? new SmallTmpfs(path) : null;
    }

    public void Dispose() => Run("umount", "-l", _path);

    private static (int ExitCode, string Output) Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
