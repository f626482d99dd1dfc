using System.Net.Sockets;
using System.Text;

namespace MaintProxy.Lifetime;

/// <summary>
/// The sd_notify protocol: one datagram to the socket named in <c>NOTIFY_SOCKET</c>, which systemd
/// sets for <c>Type=notify</c> services. Without that variable this does nothing.
/// </summary>
internal sealed class SystemdNotifier(ILogger<SystemdNotifier> logger)
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    private readonly UnixDomainSocketEndPoint? _endPoint = EndPointFrom(Environment.GetEnvironmentVariable(SocketVariable));

    public void Notify(string state)
    {
        if (_endPoint is null)
        {
            return;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.UTF8.GetBytes(state), _endPoint);
        }
        catch (SocketException ex)
        {
            LifetimeLog.NotifyFailed(logger, state, ex.Message);
        }
    }

    private static UnixDomainSocketEndPoint? EndPointFrom(string? path) => path switch
    {
        null or "" => null,
        // A leading '@' names a socket in the abstract namespace, which the kernel spells with a NUL.
        ['@', .. var name] => new UnixDomainSocketEndPoint("\0" + name),
        _ => new UnixDomainSocketEndPoint(path),
    };
}
