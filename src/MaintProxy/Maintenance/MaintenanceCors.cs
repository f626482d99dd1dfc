using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace MaintProxy.Maintenance;

/// <summary>
/// Lets a page on another origin read the maintenance answer (<c>Maintenance:CorsAllowedOrigins</c>):
/// without <c>Access-Control-Allow-Origin</c> the browser hides the 503 from the script as a network
/// error, so a single-page app can neither say "down for maintenance" nor read <c>Retry-After</c>.
/// </summary>
internal sealed class MaintenanceCors
{
    public const string AnyOrigin = "*";

    // grpc-status and grpc-message: a gRPC-Web call from a page reads its status from these headers.
    private static readonly StringValues ExposedHeaders = "Retry-After, X-Maintenance-Mode, X-Maintenance-Scope, grpc-status, grpc-message";
    private static readonly StringValues AllowCredentials = "true";
    // A preflight answered in maintenance must not outlive it: the backend's own answer decides afterwards.
    private static readonly StringValues NoPreflightCache = "0";
    private static readonly StringValues VaryAcceptOrigin = "Accept, Origin";

    private readonly FrozenSet<string> _origins;
    private readonly bool _anyOrigin;

    public MaintenanceCors(IOptions<MaintenanceOptions> options)
    {
        var configured = options.Value.CorsAllowedOrigins;
        _anyOrigin = configured.Contains(AnyOrigin, StringComparer.Ordinal);
        _origins = configured.Where(o => o != AnyOrigin).Select(o => Normalize(o)!).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        Vary = _origins.Count > 0 ? VaryAcceptOrigin : MaintenanceMiddleware.VaryAccept;
    }

    public bool IsEnabled => _anyOrigin || _origins.Count > 0;

    /// <summary>The <c>Vary</c> of maintenance answers: with listed origins the answer depends on <c>Origin</c> too.</summary>
    public StringValues Vary { get; }

    /// <summary>A CORS preflight from an origin this answers: it gets a 204 so that the request it asks for gets to see the 503.</summary>
    public bool IsAllowedPreflight(HttpRequest request) =>
        IsEnabled
        && HttpMethods.IsOptions(request.Method)
        && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod)
        && IsAllowed(request.Headers.Origin);

    /// <summary>Adds the CORS headers of a maintenance answer when the request's <c>Origin</c> is allowed.</summary>
    public void AddHeaders(HttpRequest request, IHeaderDictionary headers)
    {
        var origin = request.Headers.Origin;
        if (!IsEnabled || !IsAllowed(origin))
        {
            return;
        }

        if (_origins.Contains(origin.ToString()))
        {
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowCredentials = AllowCredentials;
        }
        else
        {
            // Never credentials with a wildcard: any site could then read answers meant for the user.
            headers.AccessControlAllowOrigin = AnyOrigin;
        }

        headers.AccessControlExposeHeaders = ExposedHeaders;
        if (HttpMethods.IsOptions(request.Method) && request.Headers.TryGetValue(HeaderNames.AccessControlRequestMethod, out var method))
        {
            headers.AccessControlAllowMethods = method;
            if (request.Headers.TryGetValue(HeaderNames.AccessControlRequestHeaders, out var requested))
            {
                headers.AccessControlAllowHeaders = requested;
            }

            headers.AccessControlMaxAge = NoPreflightCache;
        }
    }

    /// <summary>An origin as browsers send it (<c>https://app.example</c>: lower case, no default port, no path), or null.</summary>
    public static string? Normalize(string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
            || uri.UserInfo.Length > 0
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return null;
        }

        return uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
    }

    private bool IsAllowed(StringValues origin) =>
        origin.Count == 1 && origin[0] is { Length: > 0 } value && value != "null" && (_anyOrigin || _origins.Contains(value));
}
