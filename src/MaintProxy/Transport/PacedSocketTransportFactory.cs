using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace MaintProxy.Transport;

/// <summary>
/// Kestrel's socket transport with paced accepts (see <see cref="PacedSocketListener"/>): it binds
/// what Kestrel's own binds (addresses, Unix sockets, sockets inherited from systemd), through the
/// same <see cref="SocketTransportOptions"/>.
/// </summary>
internal sealed class PacedSocketTransportFactory(IOptions<SocketTransportOptions> options, ILoggerFactory loggerFactory, TimeProvider time)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint or UnixDomainSocketEndPoint => true,
        FileHandleEndPoint handle => handle.FileHandleType is FileHandleType.Auto or FileHandleType.Tcp,
        _ => false,
    };

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var listener = PacedSocketListener.Bind(endpoint, options.Value, loggerFactory, time);
        return ValueTask.FromResult<IConnectionListener>(listener);
    }
}
