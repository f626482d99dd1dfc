using MaintProxy.Admin;
using MaintProxy.Demo;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace MaintProxy.Listeners;

/// <summary>Adds the admin and demo listeners to Kestrel, beside the ones in the <c>Kestrel</c> section.</summary>
internal sealed class LoopbackListenersSetup(IOptions<AdminOptions> admin, IOptions<DemoBackendOptions> demo)
    : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        options.Listen(LoopbackEndpoint.Parse(admin.Value.Url), ServeHttp1);
        if (demo.Value.Enabled)
        {
            options.Listen(LoopbackEndpoint.Parse(demo.Value.Url), ServeHttp1);
        }
    }

    // Kestrel:EndpointDefaults:Protocols is for the public listeners: set to Http2, it would leave the
    // scripts (HTTP/1.1 over /dev/tcp) and YARP's plain-HTTP requests to the demo backend unanswered.
    private static void ServeHttp1(ListenOptions listen) => listen.Protocols = HttpProtocols.Http1;
}
