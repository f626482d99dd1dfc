using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// Refuses a route whose <c>ClusterId</c> names no cluster (a typo, a cluster renamed on one side only).
/// YARP would take it and answer every request it matches with a bare 503, without the maintenance
/// header but easy to take for one; refused, the start stops naming the route, and a reload keeps the
/// configuration in use.
/// </summary>
internal sealed class RouteWithoutClusterConfigFilter : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) =>
        ValueTask.FromResult(cluster);

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        !string.IsNullOrEmpty(route.ClusterId) && cluster is null
            ? throw new InvalidOperationException(
                $"Route '{route.RouteId}': its ClusterId '{route.ClusterId}' names no cluster in ReverseProxy:Clusters (or one refused for the reason given with it).")
            : ValueTask.FromResult(route);
}
