using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace MaintProxy.Listeners;

/// <summary>
/// Reads the <c>Kestrel:Limits</c> section (request body size, connections, timeouts) into Kestrel's
/// limits: the slim host builder binds only the endpoints of the <c>Kestrel</c> section.
/// </summary>
internal sealed class KestrelLimitsSetup(IConfiguration configuration) : IConfigureOptions<KestrelServerOptions>
{
    public const string SectionName = "Kestrel:Limits";

    public void Configure(KestrelServerOptions options) => configuration.GetSection(SectionName).Bind(options.Limits, binder => binder.ErrorOnUnknownConfiguration = true);
}
