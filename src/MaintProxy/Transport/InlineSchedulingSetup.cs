using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace MaintProxy.Transport;

/// <summary>Kestrel's half of <see cref="TransportOptions.InlineScheduling"/>; the runtime's half is in <see cref="EventLoops"/>.</summary>
internal sealed class InlineSchedulingSetup(IOptions<TransportOptions> transport) : IConfigureOptions<SocketTransportOptions>
{
    public void Configure(SocketTransportOptions options) =>
        options.UnsafePreferInlineScheduling = transport.Value.InlineScheduling;
}
