using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// Rejects YARP settings this build cannot honour, when the configuration loads rather than at the
/// first request: the HashCookie affinity policy (YARP's default when none is named) needs
/// System.IO.Hashing, which is not shipped.
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

        // YARP's default policy is HashCookie: without a Policy every affinitized answer failed (502).
        if (cluster.SessionAffinity is { Enabled: true, Policy: null or "" })
        {
            throw new InvalidOperationException(
                $"Cluster '{cluster.ClusterId}': session affinity without a Policy takes YARP's default 'HashCookie', which is not supported by MaintProxy; set ReverseProxy:Clusters:{cluster.ClusterId}:SessionAffinity:Policy to 'Cookie' or 'ArrCookie'.");
        }

        return ValueTask.FromResult(cluster);
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
