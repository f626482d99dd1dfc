using System.Net;
using System.Net.Sockets;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// Loopback ports nobody listens on, for servers the tests start. Each is handed out once per test run,
/// from below the kernel's ephemeral range (32768 and up), so a port given to one test is never given to
/// another, nor taken meanwhile as the source port of some client's connection: a port released by a
/// stopped server cannot reach a later test's server, whose scripts would then be answered by the wrong one.
/// </summary>
internal static class FreePort
{
    private const int First = 20000;
    private const int Count = 12000;

    // A random start keeps two test runs on one machine apart.
    private static int s_next = Random.Shared.Next(Count);

    public static int Next()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (Interlocked.Increment(ref s_next) % Count);
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free loopback port from {First} to {First + Count - 1}.");
    }

    private static bool IsFree(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
