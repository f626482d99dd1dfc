namespace MaintProxy.Proxy;

/// <summary>
/// Applies the dot segments Kestrel leaves in an absolute-form target before anything reads the path.
/// Routing, the maintenance decision (allowed paths) and the forwarded request then all see the path
/// the backend serves: <c>GET http://host/health/..%2Fadmin</c> would otherwise be judged as a path
/// under <c>/health</c> and reach the backend as <c>/admin</c>, normalized by the HTTP client.
/// </summary>
internal sealed class DotSegmentsMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path is not null && DotSegments.AreIn(path))
        {
            context.Request.Path = new PathString(DotSegments.Remove(path));
        }

        return next(context);
    }
}
