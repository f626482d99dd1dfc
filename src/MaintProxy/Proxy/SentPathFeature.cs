namespace MaintProxy.Proxy;

/// <summary>
/// The path a request came with, kept while it is routed by its lenient reading, and the cluster that
/// path routes to as sent (<see cref="StrictReadingMiddleware"/>): a window for either covers the request.
/// </summary>
internal sealed class SentPathFeature(PathString path)
{
    public PathString Path { get; } = path;

    public Endpoint? LenientEndpoint { get; set; }

    public RouteValueDictionary? LenientRouteValues { get; set; }

    /// <summary>The cluster of the other reading's route (as sent, or lenient when the route as sent took the request), when it is not the routed one's; else null.</summary>
    public string? OtherReadingClusterId { get; set; }

    public static string? OtherReadingClusterIdOf(HttpContext context) => context.Features.Get<SentPathFeature>()?.OtherReadingClusterId;
}
