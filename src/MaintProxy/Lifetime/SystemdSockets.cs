using System.Globalization;

namespace MaintProxy.Lifetime;

/// <summary>The listening sockets systemd (or any socket holder) handed this process, per sd_listen_fds(3).</summary>
internal static class SystemdSockets
{
    /// <summary>How many sockets were inherited: 0 unless <c>LISTEN_PID</c> names this very process.</summary>
    public static int InheritedCount()
    {
        var pid = Environment.GetEnvironmentVariable("LISTEN_PID");
        if (pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return 0;
        }

        return int.TryParse(Environment.GetEnvironmentVariable("LISTEN_FDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : 0;
    }
}
