using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// Refuses keys of a cluster, and of its <c>HttpClient</c>, <c>HttpRequest</c>, <c>SessionAffinity</c>,
/// <c>HealthCheck</c> and destination sections, that YARP does not read (a misspelt <c>HttpClinet</c> took every setting under it along), and a list given as
/// one plain value. YARP skips both without a word: a misspelt
/// <c>MaxConectionsPerServer</c>, a <c>ClientCertificate</c> from older YARP examples, or
/// <c>"SslProtocols": "Tls12"</c> left the default in force unseen, a misspelt <c>Intervl</c> of an
/// active health check probed every 15 s, a destination's misspelt <c>Helth</c> probed the
/// <c>Address</c> instead. Read from the settings
/// themselves, which YARP's parsed configuration no longer shows. Also refuses the obsolete TLS
/// versions in <c>SslProtocols</c>, with which every handshake failed.
/// </summary>
internal sealed class ClusterClientSettingsKeysConfigFilter(IConfiguration configuration) : IProxyConfigFilter
{
    private const string SslProtocols = "SslProtocols";
    private const string WebProxy = "WebProxy";

    private const System.Security.Authentication.SslProtocols Supported =
        System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;

    private static readonly string[] ClusterKeys =
    [
        "LoadBalancingPolicy", "SessionAffinity", "HealthCheck", "HttpClient", "HttpRequest", "Metadata", "Destinations",
    ];

    private static readonly string[] HttpClientKeys =
    [
        SslProtocols, "DangerousAcceptAnyServerCertificate", "MaxConnectionsPerServer", "EnableMultipleHttp2Connections",
        "RequestHeaderEncoding", "ResponseHeaderEncoding", WebProxy,
    ];

    private static readonly string[] WebProxyKeys = ["Address", "BypassOnLocal", "UseDefaultCredentials"];

    private static readonly string[] HttpRequestKeys = ["ActivityTimeout", "Version", "VersionPolicy", "AllowResponseBuffering"];

    private static readonly string[] SessionAffinityKeys = ["Enabled", "Policy", "FailurePolicy", "AffinityKeyName", "Cookie"];

    private static readonly string[] AffinityCookieKeys = ["Path", "Domain", "HttpOnly", "SecurePolicy", "SameSite", "Expiration", "MaxAge", "IsEssential"];

    private static readonly string[] HealthCheckKeys = ["Active", "Passive", "AvailableDestinationsPolicy"];

    // YARP 2.1 has no active health check Query (later versions do): its query goes in Path.
    private static readonly string[] ActiveHealthCheckKeys = ["Enabled", "Interval", "Timeout", "Policy", "Path"];

    private static readonly string[] PassiveHealthCheckKeys = ["Enabled", "Policy", "ReactivationPeriod"];

    private static readonly string[] DestinationKeys = ["Address", "Health", "Host", "Metadata"];

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var section = configuration.GetSection($"ReverseProxy:Clusters:{cluster.ClusterId}");
        UnknownSettingsKeys.Refuse(section, ClusterKeys);
        var client = section.GetSection("HttpClient");
        UnknownSettingsKeys.Refuse(client, HttpClientKeys);
        UnknownSettingsKeys.Refuse(client.GetSection(WebProxy), WebProxyKeys);
        UnknownSettingsKeys.Refuse(section.GetSection("HttpRequest"), HttpRequestKeys);
        var affinity = section.GetSection("SessionAffinity");
        UnknownSettingsKeys.Refuse(affinity, SessionAffinityKeys);
        UnknownSettingsKeys.Refuse(affinity.GetSection("Cookie"), AffinityCookieKeys);
        var health = section.GetSection("HealthCheck");
        UnknownSettingsKeys.Refuse(health, HealthCheckKeys);
        UnknownSettingsKeys.Refuse(health.GetSection("Active"), ActiveHealthCheckKeys);
        UnknownSettingsKeys.Refuse(health.GetSection("Passive"), PassiveHealthCheckKeys);
        UnknownSettingsKeys.RefuseInEach(section.GetSection("Destinations"), DestinationKeys);
        var protocols = client.GetSection(SslProtocols);
        if (!string.IsNullOrEmpty(protocols.Value))
        {
            throw new InvalidOperationException(
                $"{protocols.Path} is a list: set it item by item ({protocols.Path}:0={protocols.Value}, or [\"{protocols.Value}\"] in appsettings.json); as one plain value it would be ignored.");
        }

        // Ssl2, Ssl3, Tls and Tls11 are obsolete in .NET and refused by OpenSSL's defaults: every
        // handshake failed, logged as OpenSSL's "no ciphers available".
        if (cluster.HttpClient?.SslProtocols is { } enabled && (enabled & ~Supported) != 0)
        {
            throw new InvalidOperationException(
                $"{protocols.Path} may name Tls12 and Tls13 only (or None: the system's choice); it names {enabled}, obsolete protocols every handshake would fail with.");
        }

        return ValueTask.FromResult(cluster);
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
