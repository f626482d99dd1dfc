using System.Globalization;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// The client-side ports of every TCP connection to a port, from the kernel's tables
/// (<c>/proc/net/tcp</c> and <c>tcp6</c>, including TIME_WAIT): how many connections were really opened.
/// </summary>
internal static class LoopbackConnections
{
    public static HashSet<int> ClientPortsTo(int serverPort, bool establishedOnly = false)
    {
        var ports = new HashSet<int>();
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1).Concat(File.ReadLines("/proc/net/tcp6").Skip(1)))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var local = Port(fields[1]);
            var remote = Port(fields[2]);
            if (establishedOnly && fields[3] != "01")
            {
                continue;
            }

            if (remote == serverPort)
            {
                ports.Add(local);
            }
            else if (local == serverPort && remote != 0 && !establishedOnly)
            {
                ports.Add(remote);
            }
        }

        return ports;
    }

    private static int Port(string endpoint) =>
        int.Parse(endpoint[(endpoint.IndexOf(':', StringComparison.Ordinal) + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
