using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// Rejects YARP settings this build cannot honour, when the configuration loads rather than at the
/// first request: the HashCookie affinity policy needs System.IO.Hashing, which is not shipped.
/// </summary>
internal sealed class UnsupportedPolicyConfigFilter : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        if (string.Equals(cluster.SessionAffinity?.Policy, "HashCookie", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"Cluster '{cluster.ClusterId}': the session affinity policy 'HashCookie' is not supported by MaintProxy; use 'Cookie' or 'ArrCookie'.");
        }

        return ValueTask.FromResult(cluster);
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
