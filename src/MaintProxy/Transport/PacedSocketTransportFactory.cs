using System.Net;
using System.Net.Sockets;
using MaintProxy.Admin;
using MaintProxy.Listeners;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace MaintProxy.Transport;

/// <summary>
/// Kestrel's socket transport with paced accepts (see <see cref="PacedSocketListener"/>): it binds
/// what Kestrel's own binds (addresses, Unix sockets, sockets inherited from systemd), through the
/// same <see cref="SocketTransportOptions"/>.
/// </summary>
internal sealed class PacedSocketTransportFactory(
    IOptions<SocketTransportOptions> options, IOptions<AdminOptions> admin, ILoggerFactory loggerFactory, TimeProvider time)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly long? _openFileLimit = OpenFileLimit.Read();

    public bool CanBind(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint or UnixDomainSocketEndPoint => true,
        FileHandleEndPoint handle => handle.FileHandleType is FileHandleType.Auto or FileHandleType.Tcp,
        _ => false,
    };

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var isAdmin = endpoint is IPEndPoint ip && ip.Equals(LoopbackEndpoint.Parse(admin.Value.Url));
        var listener = PacedSocketListener.Bind(endpoint, options.Value, loggerFactory, time, isAdmin ? null : _openFileLimit);
        return ValueTask.FromResult<IConnectionListener>(listener);
    }
}
