using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace MaintProxy.Transport;

/// <summary>
/// <see cref="TransportOptions.InlineScheduling"/>: socket completions already run on the event-loop
/// thread (<see cref="EventLoops"/>); with it Kestrel keeps the request there too.
/// </summary>
internal sealed class InlineSchedulingSetup(IOptions<TransportOptions> transport) : IConfigureOptions<SocketTransportOptions>
{
    public void Configure(SocketTransportOptions options) =>
        options.UnsafePreferInlineScheduling = transport.Value.InlineScheduling;
}
