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

    /// <summary>
    /// The name of an inherited socket (<c>FileDescriptorName=</c> in its .socket unit, passed in
    /// <c>LISTEN_FDNAMES</c>), by its file descriptor; null when it has none.
    /// </summary>
    public static string? NameOf(ulong fileDescriptor)
    {
        var names = (Environment.GetEnvironmentVariable("LISTEN_FDNAMES") ?? "").Split(':');
        var index = (long)fileDescriptor - FirstFileDescriptor;
        return index >= 0 && index < names.Length && names[index].Length > 0 ? names[index] : null;
    }

    // SD_LISTEN_FDS_START: the inherited sockets are file descriptors 3, 4, …
    private const int FirstFileDescriptor = 3;
}
