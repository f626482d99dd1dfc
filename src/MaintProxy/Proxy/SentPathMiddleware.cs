namespace MaintProxy.Proxy;

/// <summary>Puts back the path a request came with once it was routed by its lenient reading (see <see cref="LenientRoutingMiddleware"/>).</summary>
internal sealed class SentPathMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<SentPathFeature>() is { } sent)
        {
            context.Request.Path = sent.Path;
        }

        return next(context);
    }
}
