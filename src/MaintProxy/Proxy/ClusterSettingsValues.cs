using System.Globalization;

namespace MaintProxy.Proxy;

/// <summary>
/// Refuses a cluster's <c>HttpRequest</c> and <c>HttpClient</c> value that YARP's reader cannot convert,
/// naming the key: YARP stopped the start with "Unable to load or apply the proxy configuration. (The
/// input string 'garbage' was not in a correct format.)" and a stack trace, without saying which setting.
/// Read from the raw settings before YARP reads them; the ranges are checked by the config filters after.
/// </summary>
internal static class ClusterSettingsValues
{
    private static readonly (string Key, string Expected, Func<string, bool> IsValid)[] Checks =
    [
        ("HttpRequest:Version", "1.0, 1.1 or 2", IsVersion),
        ("HttpRequest:VersionPolicy", "RequestVersionOrLower, RequestVersionOrHigher or RequestVersionExact", value => Enum.TryParse<HttpVersionPolicy>(value, ignoreCase: true, out _)),
        ("HttpRequest:ActivityTimeout", "a time span such as 00:01:40", value => TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _)),
        ("HttpRequest:AllowResponseBuffering", "true or false", value => bool.TryParse(value, out _)),
        ("HttpClient:MaxConnectionsPerServer", "a whole number", value => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)),
        ("HttpClient:DangerousAcceptAnyServerCertificate", "true or false", value => bool.TryParse(value, out _)),
        ("HttpClient:EnableMultipleHttp2Connections", "true or false", value => bool.TryParse(value, out _)),
        ("HttpClient:WebProxy:BypassOnLocal", "true or false", value => bool.TryParse(value, out _)),
        ("HttpClient:WebProxy:UseDefaultCredentials", "true or false", value => bool.TryParse(value, out _)),
    ];

    /// <summary>Throws naming the first value under <c>ReverseProxy:Clusters</c> that YARP could not convert.</summary>
    public static void Check(IConfiguration reverseProxy)
    {
        foreach (var cluster in reverseProxy.GetSection("Clusters").GetChildren())
        {
            foreach (var (key, expected, isValid) in Checks)
            {
                var setting = cluster.GetSection(key);
                if (setting.Value is { } value && !isValid(value))
                {
                    throw new InvalidOperationException($"{setting.Path} must be {expected}; it is '{value}'.");
                }
            }
        }
    }

    // As YARP reads it: "2" is 2.0, and an empty value is none.
    private static bool IsVersion(string value) =>
        value.Length == 0 || Version.TryParse(value.Contains('.', StringComparison.Ordinal) ? value : value + ".0", out _);
}
