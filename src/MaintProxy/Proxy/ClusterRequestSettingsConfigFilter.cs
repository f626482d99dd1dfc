using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// Refuses a cluster's <c>HttpRequest</c> settings that YARP takes but that would fail every request:
/// an <c>ActivityTimeout</c> of zero answered each request with an immediate 504, a negative one with
/// a 500 (an unhandled exception), and one past the timer's range likewise.
/// </summary>
internal sealed class ClusterRequestSettingsConfigFilter : IProxyConfigFilter
{
    private static readonly TimeSpan MinActivityTimeout = TimeSpan.FromMilliseconds(1);

    private static readonly TimeSpan MaxActivityTimeout = TimeSpan.FromDays(1);

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (cluster.HttpRequest?.ActivityTimeout is { } timeout && (timeout < MinActivityTimeout || timeout > MaxActivityTimeout))
        {
            throw new InvalidOperationException(
                $"ReverseProxy:Clusters:{cluster.ClusterId}:HttpRequest:ActivityTimeout must be from 00:00:00.001 to 1.00:00:00; it is {timeout:c}.");
        }

        return ValueTask.FromResult(cluster);
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
