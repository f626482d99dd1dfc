using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using MaintProxy.Proxy;

namespace MaintProxy.Maintenance;

/// <summary>
/// Decides what happens to a request that meets an active window: always-allowed paths, the bypass
/// secret and its cookie, allowed client networks, read-only windows; everything else is answered
/// with the maintenance response.
/// </summary>
internal sealed class MaintenancePolicy
{
    private static readonly string[] MethodOverrideHeaders = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

    private readonly PathString[] _allowedPrefixes;
    private readonly Regex[] _allowedPatterns;
    private readonly IPNetwork[] _trustedProxies;
    private readonly TimeProvider _timeProvider;

    public MaintenancePolicy(IOptions<MaintenanceOptions> options, TimeProvider timeProvider)
    {
        var value = options.Value;
        _allowedPrefixes = value.AllowedPathPrefixes.Select(p => new PathString(p.TrimEnd('/'))).ToArray();
        _allowedPatterns = value.AllowedPathPatterns
            .Select(p => new Regex(p, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(100)))
            .ToArray();
        _trustedProxies = value.TrustedProxies.Select(p => ClientAddress.TryParseNetwork(p, out var n) ? n : default).ToArray();
        CookieLifetime = value.BypassCookieLifetime;
        _timeProvider = timeProvider;
    }

    public TimeSpan CookieLifetime { get; }

    /// <summary>Whether the socket's peer is one of <c>Maintenance:TrustedProxies</c>, whose forwarding headers are believed.</summary>
    public bool IsPeerTrusted(HttpContext context) => ClientAddress.IsPeerTrusted(context, _trustedProxies);

    /// <param name="context">The request.</param>
    /// <param name="window">The window that applies to it.</param>
    /// <param name="presentedSecret">True when the request carried the right secret in the header,
    /// not only a cookie: it earns a cookie.</param>
    public MaintenanceOutcome Decide(HttpContext context, MaintenanceWindow window, out bool presentedSecret)
    {
        presentedSecret = false;
        var request = context.Request;
        if (IsAllowedPath(context))
        {
            return MaintenanceOutcome.AllowedPath;
        }

        if (window.SecretHash is { } secretHash)
        {
            var path = request.Path.Value;
            if (path is { Length: > 1 } && path.IndexOf('/', 1) < 0 && BypassCredentials.IsSecret(path.AsSpan(1), secretHash))
            {
                return MaintenanceOutcome.BypassGranted;
            }

            presentedSecret = request.Headers.TryGetValue(BypassCredentials.HeaderName, out var header)
                && BypassCredentials.IsSecret(header.ToString(), secretHash);
            if (presentedSecret || BypassCredentials.HasValidCookie(request.Headers.Cookie, secretHash, _timeProvider.GetUtcNow(), CookieLifetime))
            {
                return MaintenanceOutcome.Bypassed;
            }
        }

        if (!window.AllowNetworks.IsEmpty
            && ClientAddress.Resolve(context, _trustedProxies) is { } client
            && ClientAddress.IsIn(client, window.AllowNetworks))
        {
            return MaintenanceOutcome.Bypassed;
        }

        if (window.ReadOnly && IsSafe(request.Method) && !HasBody(context) && !OverridesMethod(request) && !IsUpgrade(context))
        {
            return MaintenanceOutcome.ReadOnlyForwarded;
        }

        return MaintenanceOutcome.Maintenance;
    }

    /// <summary>
    /// Whether the browser reached us over HTTPS: this listener's TLS, or a trusted proxy in front that
    /// ended TLS and says so in <c>X-Forwarded-Proto</c> (believed from it only). The bypass cookie is
    /// then marked Secure, so the browser never sends it over plain HTTP.
    /// </summary>
    public bool IsHttpsForClient(HttpContext context)
    {
        var request = context.Request;
        if (request.IsHttps)
        {
            return true;
        }

        if (!request.Headers.TryGetValue("X-Forwarded-Proto", out var proto) || !IsPeerTrusted(context))
        {
            return false;
        }

        foreach (var value in proto)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan()[range].Trim().Equals("https", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    public string IssueCookie(MaintenanceWindow window) =>
        BypassCredentials.IssueCookie(window.SecretHash!, _timeProvider.GetUtcNow() + CookieLifetime);

    private bool IsAllowedPath(HttpContext context)
    {
        if (_allowedPrefixes.Length == 0 && _allowedPatterns.Length == 0)
        {
            return false;
        }

        var path = context.Request.Path;

        // A decoded %0A is a control character in the path: it never names what an allowed path names
        // (and .NET's '$' matches before a final '\n', so "^/a\.css$" would match "/a.css\n").
        var text = path.Value.AsSpan();
        if (text.ContainsAnyInRange('\u0000', '\u001F') || text.ContainsAnyInRange('\u007F', '\u009F'))
        {
            return false;
        }

        // A fragment has no place in a request target, yet Kestrel keeps it in the path: a backend that
        // ends the path at '#' (nginx, Python) reads /static/app.php#.css as /static/app.php. (%23 is a
        // file name's '#' to both, and still judged.)
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (target?.Contains('#') == true)
        {
            return false;
        }

        // Kestrel turns %252F into %2F; a backend decodes the target once, so that one is the text "%2F".
        var written = PathSeparators.AreEncodedIn(text) && target?.Contains("%25", StringComparison.Ordinal) == true
            ? WrittenTargetPath.Of(context)
            : null;

        // What a backend may resolve outside the allowed prefix is not let in by it.
        if (DisguisedDotSegments.AreIn(written ?? text))
        {
            return false;
        }

        // Ordinal: on a case-sensitive backend /HEALTH is another resource than /health.
        foreach (var prefix in _allowedPrefixes)
        {
            if (path.StartsWithSegments(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        // Matched as the backend reads the path: "^/[^/]+\.css$" is not /hello.php%2Fsite.css, which
        // php-fpm (and nginx in front of PHP) run as /hello.php with PATH_INFO /site.css.
        var judged = _allowedPatterns.Length == 0 ? "/"
            : written is not null ? PathSeparators.AsSlashes(written).Replace("%25", "%", StringComparison.Ordinal)
            : PathSeparators.AsSlashes(path.Value ?? "/");
        foreach (var pattern in _allowedPatterns)
        {
            try
            {
                if (pattern.IsMatch(judged))
                {
                    return true;
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A hostile path that makes a pattern run long is simply not allowed through.
            }
        }

        return false;
    }

    /// <summary>
    /// A WebSocket (or any upgraded connection) carries whatever the client sends next, for as long as
    /// it likes: form posts in Blazor Server or Phoenix LiveView, hub calls in SignalR. A read-only
    /// window cannot tell its reads from its writes, so it is a write.
    /// </summary>
    public static bool IsUpgrade(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;

    /// <summary>A gRPC call (also gRPC-Web): its client reads the call's status from <c>grpc-status</c>, not from an HTTP status or body.</summary>
    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A safe method with a body is a write in a read-only window: a backend that does not read the
    /// body of a GET reads it as the next request on the connection, which could be a POST.
    /// </summary>
    public static bool HasBody(HttpContext context) =>
        context.Request.ContentLength is { } length
            ? length > 0
            : context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;

    /// <summary>
    /// A safe request that asks the application to run it as another method is that method: Slim
    /// honours <c>X-HTTP-Method-Override</c> on a GET, other stacks the other names or <c>_method</c>
    /// in the query. Only a write asked for this way counts; <c>X-HTTP-Method-Override: GET</c> is a GET.
    /// </summary>
    private static bool OverridesMethod(HttpRequest request)
    {
        var headers = request.Headers;
        foreach (var name in MethodOverrideHeaders)
        {
            if (headers.TryGetValue(name, out var values) && NamesAWrite(values))
            {
                return true;
            }
        }

        return request.QueryString.HasValue
            && request.QueryString.Value!.Contains("_method", StringComparison.OrdinalIgnoreCase)
            && request.Query.TryGetValue("_method", out var queryValues)
            && NamesAWrite(queryValues);
    }

    private static bool NamesAWrite(StringValues values)
    {
        foreach (var value in values)
        {
            var method = value.AsSpan().Trim();
            if (!method.IsEmpty && !IsSafe(method.ToString()))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
}
