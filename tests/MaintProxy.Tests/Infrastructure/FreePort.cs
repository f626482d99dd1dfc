using System.Net;
using System.Net.Sockets;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>Loopback ports nobody listens on, for servers the tests start.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
