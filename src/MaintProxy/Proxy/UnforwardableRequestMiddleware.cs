using Microsoft.AspNetCore.Http.Features;

namespace MaintProxy.Proxy;

/// <summary>
/// Answers <c>400</c>, as nginx does, to the two request forms a reverse proxy cannot pass on: a
/// <c>CONNECT</c> tunnel (YARP fails it as a backend error: a 502 logged as <c>proxy-error</c>, with a
/// stack trace) and <c>OPTIONS *</c> (it would reach the backend as <c>OPTIONS /</c>, another request), also
/// when written as an absolute-form target with an empty path and no query (<c>OPTIONS http://host</c>,
/// which a proxy forwards as <c>OPTIONS *</c>: RFC 9112 §3.2.4).
/// An extended <c>CONNECT</c> (a WebSocket over HTTP/2) is an upgrade, and forwarded. An HTTP/2 or
/// HTTP/3 <c>:path</c> with a space, a control character or a byte that is not ASCII gets a 400 too,
/// as from nginx and as the same target over HTTP/1.1 gets from Kestrel (see <see cref="RequestTargetCharacters"/>).
/// </summary>
internal sealed class UnforwardableRequestMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.HasValue)
        {
            // HTTP/1.x targets were checked by Kestrel's parser: only HTTP/2 and HTTP/3 pay for this.
            if (HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol))
            {
                // Kestrel gives OPTIONS http://host the path "/": RFC 9112 §3.2.4 makes it OPTIONS *.
                return HttpMethods.IsOptions(request.Method) && NamesOnlyTheServer(context.Features.Get<IHttpRequestFeature>()?.RawTarget)
                    ? RefuseOptionsOfTheServerAsync(context)
                    : next(context);
            }

            if (RequestTargetCharacters.AreAllVisible(context.Features.Get<IHttpRequestFeature>()?.RawTarget))
            {
                return next(context);
            }

            return RefuseAsync(context, "Bad Request: the request target (:path) has a space, a control character or a character that is not ASCII; percent-encode it.\n");
        }

        if (HttpMethods.IsConnect(request.Method) && context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect != true)
        {
            return RefuseAsync(context, "Bad Request: CONNECT is not supported; MaintProxy is a reverse proxy, not a forward proxy.\n");
        }

        if (HttpMethods.IsOptions(request.Method) && context.Features.Get<IHttpRequestFeature>()?.RawTarget == "*")
        {
            return RefuseOptionsAsteriskAsync(context);
        }

        return next(context);
    }

    /// <summary>Whether an absolute-form target has an empty path and no query (<c>http://host</c>, <c>http://host:8080</c>).</summary>
    private static bool NamesOnlyTheServer(string? target)
    {
        if (target is not { Length: > 0 } || target[0] == '/')
        {
            return false;
        }

        var scheme = target.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0)
        {
            return false;
        }

        var end = target.AsSpan(scheme + 3).IndexOfAny('/', '?', '#');
        return end < 0 || target[scheme + 3 + end] == '#';
    }

    private static Task RefuseOptionsOfTheServerAsync(HttpContext context)
    {
        // No path: the request line logs the target as written (OPTIONS http://host), not OPTIONS /.
        context.Request.Path = PathString.Empty;
        return RefuseOptionsAsteriskAsync(context);
    }

    private static Task RefuseOptionsAsteriskAsync(HttpContext context) =>
        RefuseAsync(context, "Bad Request: OPTIONS * is not supported; ask about a path (OPTIONS /path).\n");

    private static Task RefuseAsync(HttpContext context, string message)
    {
        // Routing matched the empty path to a catch-all route; the request goes to none, and is logged so.
        context.SetEndpoint(null);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status400BadRequest;
        response.ContentType = "text/plain; charset=utf-8";
        // HTTP/2 and HTTP/3 have no Connection header: Kestrel would drop it with a warning per request.
        if (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
        {
            response.Headers.Connection = "close";
        }

        return response.WriteAsync(message);
    }
}
