namespace MaintProxy.Proxy;

/// <summary>
/// Puts back the path a request came with once it was routed by its lenient reading (see <see cref="LenientRoutingMiddleware"/>),
/// and sets its endpoint aside so that the next routing step matches the path as sent (see <see cref="StrictReadingMiddleware"/>).
/// </summary>
internal sealed class SentPathMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<SentPathFeature>() is { } sent)
        {
            context.Request.Path = sent.Path;
            sent.LenientEndpoint = context.GetEndpoint();
            sent.LenientRouteValues = context.Request.RouteValues;
            context.SetEndpoint(null);
            context.Request.RouteValues = new RouteValueDictionary();
        }

        return next(context);
    }
}
