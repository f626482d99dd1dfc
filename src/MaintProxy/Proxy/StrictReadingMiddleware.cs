using MaintProxy.Maintenance;

namespace MaintProxy.Proxy;

/// <summary>
/// Runs after the path as sent was routed too: notes that route's cluster when it is not the cluster
/// of the lenient reading, then puts the lenient reading's endpoint back. A backend that keeps <c>;</c>,
/// <c>%2F</c> or <c>\</c> inside a segment (ASP.NET, Go) reads <c>/admin/x;/..;/..;/y</c> as
/// <c>/admin/…</c> while the lenient reading is <c>/y</c>: a window for the cluster of either reading
/// covers the request. When both readings take the same route, its values stay those of the path as sent.
/// The route of the path as sent takes the request when it is ahead of the lenient reading's route (see
/// <see cref="RoutePriority"/>) and the path hides no dot segment: <c>/api/v4/projects/{id}</c> is written
/// for GitLab's <c>/api/v4/projects/group%2Fproject</c>, and <c>/{package}</c> for npm's <c>/@types%2fcors</c>,
/// whose lenient readings only a catch-all matches.
/// </summary>
internal sealed class StrictReadingMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<SentPathFeature>() is { } sent)
        {
            var endpoint = context.GetEndpoint();
            if (ReferenceEquals(endpoint, sent.LenientEndpoint))
            {
                // One route either way: its values as sent, so that a PathPattern keeps `;v=1` and `//`.
                return next(context);
            }

            var strict = EndpointCluster.IdOf(endpoint);
            var lenient = EndpointCluster.IdOf(sent.LenientEndpoint);
            var sameCluster = string.Equals(strict, lenient, StringComparison.Ordinal);
            if (RoutePriority.IsAhead(endpoint, sent.LenientEndpoint) && !DisguisedDotSegments.AreIn(sent.Path.Value))
            {
                sent.OtherReadingClusterId = sameCluster ? null : lenient;
                return next(context);
            }

            if (!sameCluster)
            {
                sent.OtherReadingClusterId = strict;
            }

            context.SetEndpoint(sent.LenientEndpoint);
            context.Request.RouteValues = sent.LenientRouteValues ?? new RouteValueDictionary();
        }

        return next(context);
    }
}
