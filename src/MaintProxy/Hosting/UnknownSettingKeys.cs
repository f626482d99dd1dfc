using System.Reflection;
using System.Text.RegularExpressions;
using MaintProxy.Admin;
using MaintProxy.Demo;
using MaintProxy.FastCgi;
using MaintProxy.Lifetime;
using MaintProxy.Listeners;
using MaintProxy.Maintenance;
using MaintProxy.Proxy;
using MaintProxy.Transport;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MaintProxy.Hosting;

/// <summary>
/// Words the configuration binder's refusal of a key MaintProxy does not know (a misspelt setting) as the
/// key and what its section takes, as a key YARP does not read is reported.
/// </summary>
internal static partial class UnknownSettingKeys
{
    private static readonly Dictionary<string, (string Section, Type Type)> Sections = new[]
    {
        (MaintenanceOptions.SectionName, typeof(MaintenanceOptions)),
        (AdminOptions.SectionName, typeof(AdminOptions)),
        (DemoBackendOptions.SectionName, typeof(DemoBackendOptions)),
        (HttpBackendsOptions.SectionName, typeof(HttpBackendsOptions)),
        (LifetimeOptions.SectionName, typeof(LifetimeOptions)),
        (FastCgiOptions.SectionName, typeof(FastCgiOptions)),
        (TransportOptions.SectionName, typeof(TransportOptions)),
        (ConsoleLogOptions.SectionName, typeof(ConsoleLogOptions)),
        (KestrelLimitsSetup.SectionName, typeof(KestrelServerLimits)),
        (KestrelLimitsSetup.SectionName + ":Http2", typeof(Http2Limits)),
        (KestrelLimitsSetup.SectionName + ":Http3", typeof(Http3Limits)),
    }.ToDictionary(entry => entry.Item2.FullName!, entry => (entry.Item1, entry.Item2), StringComparer.Ordinal);

    /// <summary>The binder's message reworded when it is about one of MaintProxy's sections; otherwise as it is.</summary>
    public static string Reword(string message)
    {
        var match = BinderRefusal().Match(message);
        if (!match.Success || !Sections.TryGetValue(match.Groups["type"].Value, out var section))
        {
            return message;
        }

        var keys = match.Groups["names"].Value.Split(", ").Select(name => $"{section.Section}:{name.Trim('\'')}").ToList();
        var known = section.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.CanWrite || !property.PropertyType.IsValueType && property.PropertyType != typeof(string))
            .Select(property => property.Name);
        return Refusal(keys, section.Section, known);
    }

    /// <summary>The line that refuses <paramref name="keys"/> (full paths) and names what <paramref name="section"/> takes.</summary>
    public static string Refusal(IReadOnlyCollection<string> keys, string section, IEnumerable<string> known)
    {
        var what = keys.Count == 1 ? "is not a setting" : "are not settings";
        return $"{string.Join(", ", keys)} {what} MaintProxy knows, and would be ignored; {section} takes {string.Join(", ", known)}.";
    }

    [GeneratedRegex(@"^'ErrorOnUnknownConfiguration' was set on the provided BinderOptions, but the following properties were not found on the instance of (?<type>[\w.+]+): (?<names>'.+')$")]
    private static partial Regex BinderRefusal();
}
