using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using MaintProxy.Proxy;

namespace MaintProxy.Maintenance;

/// <summary>
/// The switch on the request path. Without an active window it adds one in-flight record and passes
/// the request on; with one, the policy decides between the maintenance answer and a forward that an
/// exception (bypass, allowed path, read-only) permits.
/// </summary>
internal sealed class MaintenanceMiddleware
{
    public const string ModeHeader = "X-Maintenance-Mode";
    public const string ScopeHeader = "X-Maintenance-Scope";
    public const string BypassedHeader = "X-Maintenance-Bypassed";
    public const string ForwardedHostHeader = "X-Forwarded-Host";

    public static readonly StringValues ModeOn = "1";
    public static readonly StringValues ReadOnlyScope = "read-only";
    public static readonly StringValues NoStore = "no-store, no-cache, must-revalidate";
    public static readonly StringValues VaryAccept = "Accept";
    public static readonly StringValues GrpcUnavailable = "14";
    private static readonly byte[] HealthBody = "ok\n"u8.ToArray();

    private readonly RequestDelegate _next;
    private readonly MaintenanceState _state;
    private readonly MaintenancePolicy _policy;
    private readonly MaintenanceResponses _responses;
    private readonly InFlightRequests _inFlight;
    private readonly MaintenanceCounters _counters;
    private readonly MaintenanceCors _cors;
    private readonly PathString _healthPath;

    public MaintenanceMiddleware(
        RequestDelegate next,
        MaintenanceState state,
        MaintenancePolicy policy,
        MaintenanceResponses responses,
        InFlightRequests inFlight,
        MaintenanceCounters counters,
        MaintenanceCors cors,
        IOptions<MaintenanceOptions> options)
    {
        _next = next;
        _state = state;
        _policy = policy;
        _responses = responses;
        _inFlight = inFlight;
        _counters = counters;
        _cors = cors;
        _healthPath = new PathString(options.Value.HealthPath.Length > 0 ? options.Value.HealthPath : null);
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (_healthPath.HasValue && context.Request.Path.Equals(_healthPath, StringComparison.OrdinalIgnoreCase))
        {
            return WriteHealthAsync(context);
        }

        var authority = HostNames.AuthorityOf(context);
        if (HostNames.HasEmptyLabel(authority))
        {
            return WriteBadHostAsync(context);
        }

        // Looked up for every request (a few ns, no allocation): a window applied while the request is in
        // flight covers it by this header too, and the headers cannot be read once the request has ended.
        var forwardedHosts = context.Request.Headers[ForwardedHostHeader];
        var snapshot = _state.ForDecision;
        StreamingRequestBody? body = null;
        while (true)
        {
            var window = snapshot.IsDown ? snapshot.Match(authority, () => EndpointCluster.IdOf(context.GetEndpoint()), SentPathFeature.OtherReadingClusterIdOf(context), forwardedHosts) : null;
            var presentedSecret = false;
            var outcome = window is null ? (MaintenanceOutcome?)null : _policy.Decide(context, window, out presentedSecret);
            if (window is not null)
            {
                SentPathFeature.NoteWindow(context, outcome is null ? null : window.Site);
                ForwardedHostWindowFeature.Note(context, outcome is null ? null : window, authority);
            }

            switch (outcome)
            {
                case MaintenanceOutcome.Maintenance:
                    _counters.Count(outcome);
                    return WriteMaintenanceAsync(context, window!);
                case MaintenanceOutcome.BypassGranted:
                    _counters.Count(outcome);
                    return WriteBypassGrantAsync(context, window!);
            }

            // Record the request before reading the state again: a switch applied after this read
            // sees it in flight (the drain waits for it); one applied before it is decided anew.
            var upgrade = MaintenancePolicy.IsUpgrade(context);
            if (outcome is null && !upgrade && MaintenancePolicy.HasBody(context))
            {
                body ??= StreamingRequestBody.Install(context); // only requests with a body pay for it
            }

            var request = new InFlightRequest(authority, context.GetEndpoint(), outcome, upgrade ? context.Abort : null,
                outcome is null ? body : null, SentPathFeature.OtherReadingClusterIdOf(context), forwardedHosts);
            _inFlight.Add(request);
            var current = _state.ForDecision;
            if (ReferenceEquals(current, snapshot))
            {
                _counters.Count(outcome);
                return ForwardAsync(context, request, window, outcome, presentedSecret, snapshot.IsDown);
            }

            _inFlight.Remove(request);
            snapshot = current;
        }
    }

    // Before any window is matched: "shop.example.." is not shop.example, yet its backend would take it as such.
    private static Task WriteBadHostAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("Bad Request: the host name has an empty label (..).\n");
    }

    private async Task ForwardAsync(HttpContext context, InFlightRequest request, MaintenanceWindow? window, MaintenanceOutcome? outcome, bool presentedSecret, bool windowOn)
    {
        try
        {
            if (outcome is { } exception)
            {
                MarkException(context, window!, exception, presentedSecret);
            }

            BypassCredentials.StripFrom(context.Request);
            if (windowOn && outcome != MaintenanceOutcome.Bypassed)
            {
                // Let through by its path: the backend must run that path, not one a header names.
                RewrittenUrlHeaders.RemoveFrom(context.Request.Headers);
                if (MaintenancePolicy.HasBody(context))
                {
                    context.Features.Set(SingleRequestConnectionFeature.Instance);
                }
            }

            await _next(context);
        }
        finally
        {
            _inFlight.Remove(request);
            if (request.ClosedBySwitch)
            {
                // Set here, on the request's own path: the switch only aborted it. Its log line says why
                // as that of a request the closing window refused would (X-Forwarded-Host, other reading).
                var closing = request.ClosingWindow!;
                context.Features.Set(MaintenanceOutcomeFeature.For(MaintenanceOutcome.Maintenance));
                SentPathFeature.NoteWindow(context, closing.Site);
                ForwardedHostWindowFeature.Note(context, closing, request.Authority);
            }
        }
    }

    private void MarkException(HttpContext context, MaintenanceWindow window, MaintenanceOutcome outcome, bool presentedSecret)
    {
        context.Features.Set(MaintenanceOutcomeFeature.For(outcome));
        if (outcome != MaintenanceOutcome.Bypassed)
        {
            return;
        }

        // Tell the operator who got through that everyone else still sees the maintenance page.
        var cookie = presentedSecret ? _policy.IssueCookie(window) : null;
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[BypassedHeader] = "maintenance is on for everyone else";
            if (cookie is not null)
            {
                AppendCookie(context, cookie);
            }

            return Task.CompletedTask;
        });
    }

    private Task WriteMaintenanceAsync(HttpContext context, MaintenanceWindow window)
    {
        context.Features.Set(MaintenanceOutcomeFeature.For(MaintenanceOutcome.Maintenance));
        var rendered = _responses.For(window);
        var response = context.Response;
        var headers = response.Headers;
        headers[ModeHeader] = ModeOn;
        if (window.ReadOnly)
        {
            headers[ScopeHeader] = ReadOnlyScope;
        }

        headers.RetryAfter = rendered.RetryAfter;
        headers.CacheControl = NoStore;
        headers.Vary = _cors.Vary;
        if (_cors.IsEnabled)
        {
            _cors.AddHeaders(context.Request, headers);
            if (_cors.IsAllowedPreflight(context.Request))
            {
                // A browser treats a preflight that is not 2xx as a network error and never sends the
                // request: the page could not tell maintenance from an outage. Let the request come and get the 503.
                response.StatusCode = StatusCodes.Status204NoContent;
                return Task.CompletedTask;
            }
        }

        if (MaintenancePolicy.IsGrpc(context.Request))
        {
            // gRPC's answer in its own terms: status 14 UNAVAILABLE, trailers-only (headers that end the stream).
            response.StatusCode = StatusCodes.Status200OK;
            headers.ContentType = GrpcAnswerContentType.For(context.Request.ContentType!);
            headers["grpc-status"] = GrpcUnavailable;
            headers["grpc-message"] = rendered.GrpcMessage;
            return Task.CompletedTask;
        }

        var (body, contentType) = rendered.For(ResponseFormats.Negotiate(context.Request.Headers.Accept));
        response.StatusCode = _responses.StatusCode;
        headers.ContentType = contentType;
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private Task WriteBypassGrantAsync(HttpContext context, MaintenanceWindow window)
    {
        context.Features.Set(MaintenanceOutcomeFeature.For(MaintenanceOutcome.BypassGranted));
        var response = context.Response;
        response.StatusCode = StatusCodes.Status302Found;
        response.Headers.Location = "/";
        response.Headers.CacheControl = NoStore;
        response.Headers[BypassedHeader] = "maintenance is on for everyone else";
        AppendCookie(context, _policy.IssueCookie(window));
        return Task.CompletedTask;
    }

    private void AppendCookie(HttpContext context, string value) =>
        context.Response.Cookies.Append(BypassCredentials.CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = _policy.IsHttpsForClient(context),
            Path = "/",
            MaxAge = _policy.CookieLifetime,
            IsEssential = true,
        });

    private static Task WriteHealthAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/plain";
        response.Headers.CacheControl = NoStore;
        response.ContentLength = HealthBody.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(HealthBody).AsTask();
    }
}
