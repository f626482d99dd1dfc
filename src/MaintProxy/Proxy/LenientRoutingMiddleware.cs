namespace MaintProxy.Proxy;

/// <summary>
/// Routes a request by its path as a lenient backend reads it (<see cref="LenientPath"/>), so that
/// <c>//admin/x</c>, <c>/admin;x/y</c> or <c>/x/..;/admin/y</c> take the route of <c>/admin/{**rest}</c>:
/// matched as sent, they took a catch-all route to another cluster, out of a window that covers the
/// cluster of <c>/admin</c>, and a backend both clusters share served them as <c>/admin/…</c>. The path
/// sent is put back once routing is done (<see cref="SentPathMiddleware"/>): it is forwarded, logged
/// and judged as it came.
/// </summary>
internal sealed class LenientRoutingMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path is not null && LenientPath.MayDiffer(path))
        {
            // %252F reaches the path as %2F, and %23 as #: read from the target as written, they stay apart.
            var lenient = LenientPath.Read(WrittenTargetPath.IsNeeded(context, path) ? WrittenTargetPath.Of(context) ?? path : path);
            if (!string.Equals(lenient, path, StringComparison.Ordinal))
            {
                context.Features.Set(new SentPathFeature(context.Request.Path));
                context.Request.Path = new PathString(lenient);
            }
        }

        return next(context);
    }
}
