using System.Net;
using System.Net.Sockets;

namespace MaintProxy.Tests.Lifetime;

internal static class Connections
{
    /// <summary>
    /// True when a TCP connection to the loopback port is refused (nobody listens). A connection reset
    /// while it is set up (it raced into the accept queue of a listener that was closing) is not yet
    /// an answer: false, so that the caller asks again.
    /// </summary>
    public static async Task<bool> IsRefusedAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return false;
        }
    }
}
