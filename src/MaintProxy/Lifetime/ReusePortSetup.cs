using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace MaintProxy.Lifetime;

/// <summary>
/// With <see cref="LifetimeOptions.ReusePort"/>, every listener the proxy binds gets <c>SO_REUSEPORT</c>,
/// so a second process with the same configuration binds the same ports while the first still runs.
/// Every listening socket, shared or not, is handed to <see cref="ListeningSockets"/> for the drain.
/// </summary>
/// <remarks>
/// The admin and demo listeners get it too, not the public one alone: the new process must bind
/// them to start at all, and both processes are the same program reading the same sentinel, so
/// either may answer <c>GET /status</c> or <c>POST /refresh</c> correctly. The overlap lasts only
/// until the old process is told to drain, and from then on it accepts nothing. That is also why
/// the restart script learns that the new process is ready from the PID file it writes, never
/// from the admin surface, whose answer may come from either process.
/// </remarks>
internal sealed class ReusePortSetup(IOptions<LifetimeOptions> lifetime, ListeningSockets listening) : IConfigureOptions<SocketTransportOptions>
{
    private const int SolSocket = 1;
    private const int SoReusePort = 15;

    public void Configure(SocketTransportOptions options)
    {
        var reusePort = lifetime.Value.ReusePort;
        options.CreateBoundListenSocket = endPoint => listening.Track(reusePort && endPoint is IPEndPoint ip
            ? BindSharable(ip)
            : SocketTransportOptions.CreateDefaultBoundListenSocket(endPoint));
    }

    private static Socket BindSharable(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            socket.Bind(endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
