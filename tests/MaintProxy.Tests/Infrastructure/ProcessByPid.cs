using System.Diagnostics;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>A process a test did not start itself (one a script started), ended by its PID.</summary>
internal static class ProcessByPid
{
    /// <summary>
    /// Whether the process still runs: a process that has exited but that its parent has not reaped yet
    /// (a zombie, as a child of the test process is until .NET collects it) does not.
    /// </summary>
    public static bool IsRunning(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }

        var state = stat[(stat.LastIndexOf(')') + 2)..];
        return !state.StartsWith('Z');
    }

    /// <summary>Kills the process and waits for it, if it still runs.</summary>
    public static void KillIfRunning(int? pid)
    {
        if (pid is not { } id)
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(id);
            process.Kill();
            process.WaitForExit(10_000);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }
}
