using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// Refuses keys of a route, of its <c>Match</c> and of its header and query parameter matches that YARP
/// does not read, and keys of <c>ReverseProxy</c> other than <c>Routes</c> and <c>Clusters</c>. YARP skips
/// them without a word: a route with <c>"Match": { "Host": "shop.example.org" }</c> (for <c>Hosts</c>)
/// took the requests of every site.
/// </summary>
internal sealed class RouteSettingsKeysConfigFilter(IConfiguration configuration) : IProxyConfigFilter
{
    private static readonly string[] ReverseProxyKeys = ["Routes", "Clusters"];

    // RouteId is refused by YARP itself, with its own message.
    private static readonly string[] RouteKeys =
    [
        "ClusterId", "Match", "Order", "MaxRequestBodySize", "AuthorizationPolicy", "RateLimiterPolicy", "TimeoutPolicy",
        "Timeout", "CorsPolicy", "Metadata", "Transforms", "RouteId",
    ];

    private static readonly string[] MatchKeys = ["Path", "Hosts", "Methods", "Headers", "QueryParameters"];

    private static readonly string[] MatchEntryKeys = ["Name", "Values", "Mode", "IsCaseSensitive"];

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        UnknownSettingsKeys.Refuse(configuration.GetSection("ReverseProxy"), ReverseProxyKeys);
        return ValueTask.FromResult(cluster);
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(route);
        UnknownSettingsKeys.Refuse(configuration.GetSection("ReverseProxy"), ReverseProxyKeys);
        var section = configuration.GetSection($"ReverseProxy:Routes:{route.RouteId}");
        UnknownSettingsKeys.Refuse(section, RouteKeys);
        var match = section.GetSection("Match");
        UnknownSettingsKeys.Refuse(match, MatchKeys);
        UnknownSettingsKeys.RefuseInEach(match.GetSection("Headers"), MatchEntryKeys);
        UnknownSettingsKeys.RefuseInEach(match.GetSection("QueryParameters"), MatchEntryKeys);
        return ValueTask.FromResult(route);
    }
}
