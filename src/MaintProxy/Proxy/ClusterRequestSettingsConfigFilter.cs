using System.Net;
using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// Refuses a cluster's <c>HttpRequest</c> settings that YARP takes but that would fail every request:
/// an <c>ActivityTimeout</c> of zero answered each request with an immediate 504, a negative one with
/// a 500 (an unhandled exception), and one past the timer's range likewise. Also refuses a
/// <c>Version</c> other than 1.0, 1.1 or 2: YARP took <c>3</c> and fell back to HTTP/1.1 or 2 unseen
/// (or answered 502 with <c>RequestVersionExact</c>), as HTTP/3 needs QUIC, which MaintProxy does not set up.
/// </summary>
internal sealed class ClusterRequestSettingsConfigFilter : IProxyConfigFilter
{
    private static readonly TimeSpan MinActivityTimeout = TimeSpan.FromMilliseconds(1);

    private static readonly TimeSpan MaxActivityTimeout = TimeSpan.FromDays(1);

    private static readonly Version[] SupportedVersions = [HttpVersion.Version10, HttpVersion.Version11, HttpVersion.Version20];

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (cluster.HttpRequest?.Version is { } version && !SupportedVersions.Contains(version))
        {
            throw new InvalidOperationException(
                $"ReverseProxy:Clusters:{cluster.ClusterId}:HttpRequest:Version must be 1.0, 1.1 or 2 (HTTP/3 needs QUIC, which MaintProxy does not set up); it is {version}.");
        }

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
