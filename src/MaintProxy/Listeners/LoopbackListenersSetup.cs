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
        options.Listen(LoopbackEndpoint.Parse(admin.Value.Url));
        if (demo.Value.Enabled)
        {
            options.Listen(LoopbackEndpoint.Parse(demo.Value.Url));
        }
    }
}
