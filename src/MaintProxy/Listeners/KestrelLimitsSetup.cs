using System.Globalization;
using System.Reflection;
using MaintProxy.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace MaintProxy.Listeners;

/// <summary>
/// Reads the <c>Kestrel:Limits</c> section (request body size, connections, timeouts, data rates) into
/// Kestrel's limits: the slim host builder binds only the endpoints of the <c>Kestrel</c> section. A value
/// Kestrel refuses (a negative timeout or size) stops the start naming its key; the binder alone
/// would let Kestrel's exception end the process unhandled.
/// </summary>
internal sealed class KestrelLimitsSetup(IConfiguration configuration) : IConfigureOptions<KestrelServerOptions>
{
    public const string SectionName = "Kestrel:Limits";

    private const string BytesPerSecondKey = nameof(MinDataRate.BytesPerSecond);
    private const string GracePeriodKey = nameof(MinDataRate.GracePeriod);

    public void Configure(KestrelServerOptions options)
    {
        var section = configuration.GetSection(SectionName);
        RefuseUnknownDataRateKeys(section.GetSection(nameof(KestrelServerLimits.MinRequestBodyDataRate)));
        RefuseUnknownDataRateKeys(section.GetSection(nameof(KestrelServerLimits.MinResponseDataRate)));
        try
        {
            Bind(section, options.Limits);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is ArgumentException refused)
        {
            var key = RefusedSetting(section) ?? section;
            throw new InvalidOperationException($"{key.Path} is {(key.Value is null ? "set" : $"'{key.Value}'")}, which Kestrel refuses: {OneLine(refused)}", refused);
        }

        // MinDataRate has no setters, so the binder passes over these two without a word.
        options.Limits.MinRequestBodyDataRate = DataRate(section.GetSection(nameof(KestrelServerLimits.MinRequestBodyDataRate)), options.Limits.MinRequestBodyDataRate);
        options.Limits.MinResponseDataRate = DataRate(section.GetSection(nameof(KestrelServerLimits.MinResponseDataRate)), options.Limits.MinResponseDataRate);
    }

    private static void Bind(IConfigurationSection section, KestrelServerLimits limits) =>
        section.Bind(limits, binder => binder.ErrorOnUnknownConfiguration = true);

    // Before the binder, whose refusal names only the type (MinDataRate), not which of the two rates has the key.
    private static void RefuseUnknownDataRateKeys(IConfigurationSection section)
    {
        var unknown = section.GetChildren()
            .Where(setting => !string.Equals(setting.Key, BytesPerSecondKey, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(setting.Key, GracePeriodKey, StringComparison.OrdinalIgnoreCase)) // keys are read in any case
            .Select(setting => setting.Path)
            .ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(UnknownSettingKeys.Refusal(unknown, section.Path, [BytesPerSecondKey, GracePeriodKey]));
        }
    }

    /// <summary>A data rate's <c>BytesPerSecond</c> and <c>GracePeriod</c>; a key not set keeps Kestrel's value.</summary>
    private static MinDataRate? DataRate(IConfigurationSection section, MinDataRate? current)
    {
        if (!section.Exists())
        {
            return current;
        }

        var bytesPerSecond = section.GetValue(BytesPerSecondKey, current?.BytesPerSecond ?? 0);
        var gracePeriod = section.GetValue(GracePeriodKey, current?.GracePeriod ?? TimeSpan.FromSeconds(5));
        try
        {
            return new MinDataRate(bytesPerSecond, gracePeriod);
        }
        catch (ArgumentOutOfRangeException refused)
        {
            var key = refused.ParamName == "gracePeriod" ? GracePeriodKey : BytesPerSecondKey;
            var value = section[key] ?? (key == GracePeriodKey ? gracePeriod.ToString() : bytesPerSecond.ToString(CultureInfo.InvariantCulture));
            throw new InvalidOperationException($"{section.Path}:{key} is '{value}', which Kestrel refuses: {OneLine(refused)}", refused);
        }
    }

    // Kestrel's range errors end with "\nActual value was …": the start-up error stays one line.
    private static string OneLine(ArgumentException refused) => refused.Message.ReplaceLineEndings(" ");

    // Only on the way to an error: the value itself, nested ones (Http2:MaxFrameSize) included, that Kestrel refused.
    private static IConfigurationSection? RefusedSetting(IConfigurationSection section)
    {
        foreach (var setting in section.GetChildren())
        {
            if (!IsAccepted(setting))
            {
                return setting.Value is null ? RefusedSetting(setting) ?? setting : setting;
            }
        }

        return null;
    }

    // Binds this one setting (or section) alone, to tell whether Kestrel refuses it.
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
