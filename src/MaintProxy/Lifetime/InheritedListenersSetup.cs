using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace MaintProxy.Lifetime;

/// <summary>
/// With socket activation the public listeners are the inherited sockets: Kestrel listens on them
/// and the <c>Kestrel:Endpoints</c> section is set aside, since binding its addresses again would
/// collide with the sockets systemd holds. The admin and demo listeners are bound as usual.
/// </summary>
internal sealed class InheritedListenersSetup(ILogger<InheritedListenersSetup> logger) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        var count = SystemdSockets.InheritedCount();
        if (count == 0)
        {
            return;
        }

        options.Configure(new ConfigurationBuilder().Build(), reloadOnChange: false);
        options.UseSystemd();
        LifetimeLog.InheritedSockets(logger, count);
    }
}
