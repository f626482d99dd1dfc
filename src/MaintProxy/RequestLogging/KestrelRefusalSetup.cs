using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace MaintProxy.RequestLogging;

/// <summary>Every listener remembers its connection's client, for the request log of what Kestrel refuses.</summary>
internal sealed class KestrelRefusalSetup : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options) =>
        options.ConfigureEndpointDefaults(listen => listen.Use(next => connection => ConnectionPeer.TrackAsync(connection, next)));
}
