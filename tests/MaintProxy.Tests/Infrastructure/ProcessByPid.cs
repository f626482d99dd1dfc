using System.Diagnostics;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>A process a test did not start itself (one a script started), ended by its PID.</summary>
internal static class ProcessByPid
{
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
