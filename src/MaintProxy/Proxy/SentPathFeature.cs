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

    /// <summary>The cluster whose window decided the request through the other reading (<see cref="OtherReadingClusterId"/>), for the request log; else null.</summary>
    public string? WindowClusterId { get; private set; }

    public static string? OtherReadingClusterIdOf(HttpContext context) => context.Features.Get<SentPathFeature>()?.OtherReadingClusterId;

    /// <summary>Notes whether the window of <paramref name="windowSite"/>, which decided the request, is the other reading's cluster's.</summary>
    public static void NoteWindow(HttpContext context, string? windowSite)
    {
        if (context.Features.Get<SentPathFeature>() is { OtherReadingClusterId: { } other } sent)
        {
            sent.WindowClusterId = string.Equals(windowSite, other, StringComparison.Ordinal) ? other : null;
        }
    }

    public static string? WindowClusterIdOf(HttpContext context) => context.Features.Get<SentPathFeature>()?.WindowClusterId;
}
