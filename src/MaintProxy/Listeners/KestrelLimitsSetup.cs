using System.Reflection;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace MaintProxy.Listeners;

/// <summary>
/// Reads the <c>Kestrel:Limits</c> section (request body size, connections, timeouts) into Kestrel's
/// limits: the slim host builder binds only the endpoints of the <c>Kestrel</c> section. A value
/// Kestrel refuses (a negative timeout or size) stops the start naming its key; the binder alone
/// would let Kestrel's exception end the process unhandled.
/// </summary>
internal sealed class KestrelLimitsSetup(IConfiguration configuration) : IConfigureOptions<KestrelServerOptions>
{
    public const string SectionName = "Kestrel:Limits";

    public void Configure(KestrelServerOptions options)
    {
        var section = configuration.GetSection(SectionName);
        try
        {
            Bind(section, options.Limits);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is ArgumentException refused)
        {
            var key = section.GetChildren().FirstOrDefault(setting => !IsAccepted(setting)) ?? section;
            throw new InvalidOperationException($"{key.Path} is {(key.Value is null ? "set" : $"'{key.Value}'")}, which Kestrel refuses: {refused.Message}", refused);
        }
    }

    private static void Bind(IConfigurationSection section, KestrelServerLimits limits) =>
        section.Bind(limits, binder => binder.ErrorOnUnknownConfiguration = true);

    // Only on the way to an error: binds this one setting alone, to tell which one Kestrel refused.
    private static bool IsAccepted(IConfigurationSection setting)
    {
        var alone = new ConfigurationBuilder().AddInMemoryCollection(setting.AsEnumerable()).Build();
        try
        {
            Bind(alone.GetSection(SectionName), new KestrelServerLimits());
            return true;
        }
        catch (TargetInvocationException)
        {
            return false;
        }
    }
}
