using System.Globalization;
using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// Refuses a route's or cluster's value that YARP's reader cannot convert, naming the key: YARP stopped
/// the start with "Unable to load or apply the proxy configuration. (The input string 'garbage' was not
/// in a correct format.)" and a stack trace, and on reload logged "Configuration data conversion failed."
/// with a stack trace, without saying which setting. Read from the raw settings before YARP reads them;
/// the ranges are checked by the config filters after.
/// </summary>
internal static class ClusterSettingsValues
{
    private const string WholeNumber = "a whole number";
    private const string TrueOrFalse = "true or false";
    private const string TimeSpanText = "a time span such as 00:01:40";

    private static readonly (string Key, string Expected, Func<string, bool> IsValid)[] ClusterChecks =
    [
        ("HttpRequest:Version", "1.0, 1.1 or 2", IsVersion),
        ("HttpRequest:VersionPolicy", "RequestVersionOrLower, RequestVersionOrHigher or RequestVersionExact", value => Enum.TryParse<HttpVersionPolicy>(value, ignoreCase: true, out _)),
        ("HttpRequest:ActivityTimeout", TimeSpanText, IsTimeSpan),
        ("HttpRequest:AllowResponseBuffering", TrueOrFalse, IsBool),
        ("HttpClient:MaxConnectionsPerServer", WholeNumber, IsInt32),
        ("HttpClient:DangerousAcceptAnyServerCertificate", TrueOrFalse, IsBool),
        ("HttpClient:EnableMultipleHttp2Connections", TrueOrFalse, IsBool),
        ("HttpClient:WebProxy:BypassOnLocal", TrueOrFalse, IsBool),
        ("HttpClient:WebProxy:UseDefaultCredentials", TrueOrFalse, IsBool),
        ("HttpClient:WebProxy:Address", "an absolute URL such as http://proxy.example:3128", value => Uri.TryCreate(value, UriKind.Absolute, out _)),
        ("SessionAffinity:Enabled", TrueOrFalse, IsBool),
        ("SessionAffinity:Cookie:HttpOnly", TrueOrFalse, IsBool),
        ("SessionAffinity:Cookie:IsEssential", TrueOrFalse, IsBool),
        ("SessionAffinity:Cookie:SameSite", "Unspecified, None, Lax or Strict", IsEnum<SameSiteMode>),
        ("SessionAffinity:Cookie:SecurePolicy", "SameAsRequest, Always or None", IsEnum<CookieSecurePolicy>),
        ("SessionAffinity:Cookie:Expiration", TimeSpanText, IsTimeSpan),
        ("SessionAffinity:Cookie:MaxAge", TimeSpanText, IsTimeSpan),
        ("HealthCheck:Active:Enabled", TrueOrFalse, IsBool),
        ("HealthCheck:Active:Interval", TimeSpanText, IsTimeSpan),
        ("HealthCheck:Active:Timeout", TimeSpanText, IsTimeSpan),
        ("HealthCheck:Passive:Enabled", TrueOrFalse, IsBool),
        ("HealthCheck:Passive:ReactivationPeriod", TimeSpanText, IsTimeSpan),
    ];

    private static readonly (string Key, string Expected, Func<string, bool> IsValid)[] RouteChecks =
    [
        ("Order", WholeNumber, IsInt32),
        ("MaxRequestBodySize", WholeNumber, value => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)),
        ("Timeout", TimeSpanText, IsTimeSpan),
    ];

    // Each entry of a route's Match:Headers and Match:QueryParameters lists.
    private static readonly (string Key, string Expected, Func<string, bool> IsValid)[] HeaderChecks =
    [
        ("Mode", "ExactHeader, HeaderPrefix, Contains, NotContains, Exists or NotExists", IsEnum<HeaderMatchMode>),
        ("IsCaseSensitive", TrueOrFalse, IsBool),
    ];

    private static readonly (string Key, string Expected, Func<string, bool> IsValid)[] QueryParameterChecks =
    [
        ("Mode", "Exact, Contains, NotContains, Prefix or Exists", IsEnum<QueryParameterMatchMode>),
        ("IsCaseSensitive", TrueOrFalse, IsBool),
    ];

    /// <summary>Throws naming the first value under <c>ReverseProxy</c> that YARP could not convert.</summary>
    public static void Check(IConfiguration reverseProxy)
    {
        if (FindProblem(reverseProxy) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
    }

    /// <summary>The first value under <c>ReverseProxy</c> that YARP could not convert, named with what it takes; null when none.</summary>
    public static string? FindProblem(IConfiguration reverseProxy) =>
        FindProblem(reverseProxy.GetSection("Clusters"), ClusterChecks)
        ?? FindProblem(reverseProxy.GetSection("Routes"), RouteChecks)
        ?? FindMatchListProblem(reverseProxy.GetSection("Routes"));

    private static string? FindMatchListProblem(IConfigurationSection routes)
    {
        foreach (var route in routes.GetChildren())
        {
            if ((FindProblem(route.GetSection("Match:Headers"), HeaderChecks) ?? FindProblem(route.GetSection("Match:QueryParameters"), QueryParameterChecks)) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? FindProblem(IConfigurationSection entries, (string Key, string Expected, Func<string, bool> IsValid)[] checks)
    {
        foreach (var entry in entries.GetChildren())
        {
            foreach (var (key, expected, isValid) in checks)
            {
                var setting = entry.GetSection(key);
                if (setting.Value is { } value && !isValid(value))
                {
                    return $"{setting.Path} must be {expected}; it is '{value}'.";
                }
            }
        }

        return null;
    }

    private static bool IsInt32(string value) => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    private static bool IsBool(string value) => bool.TryParse(value, out _);

    // As YARP reads it (Enum.Parse, letter case ignored).
    private static bool IsEnum<TEnum>(string value) where TEnum : struct => Enum.TryParse<TEnum>(value, ignoreCase: true, out _);

    private static bool IsTimeSpan(string value) => TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _);

    // As YARP reads it: "2" is 2.0, and an empty value is none.
    private static bool IsVersion(string value) =>
        value.Length == 0 || Version.TryParse(value.Contains('.', StringComparison.Ordinal) ? value : value + ".0", out _);
}
