using Microsoft.AspNetCore.Http.Features;
using MaintProxy.Hosting;
using MaintProxy.Lifetime;
using MaintProxy.Maintenance;
using MaintProxy.Proxy;
using Yarp.ReverseProxy.Model;

namespace MaintProxy.RequestLogging;

/// <summary>One structured line per request: what was asked, how it was answered, how long it took.</summary>
internal sealed class RequestLoggingMiddleware(RequestDelegate next, ServedRequests requests, TimeProvider timeProvider, ILogger<RequestLoggingMiddleware> logger)
{
    /// <summary>The path (the target when it has none), with its control characters escaped, unless it is the bypass secret: that is never written to a log.</summary>
    private static string LoggedPath(HttpContext context) =>
        context.Features.Get<MaintenanceOutcomeFeature>()?.Outcome == MaintenanceOutcome.BypassGranted
            ? "/[bypass secret]"
            : context.Request.Path.HasValue ? ControlCharacterEscaper.Escape(context.Request.Path.Value)
            // CONNECT's authority, the * of OPTIONS * (or OPTIONS http://host): there is no path to log.
            : ControlCharacterEscaper.Escape(context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "/");

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength is { } length ? length > 0 : request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            await next(context);
            return;
        }

        var started = timeProvider.GetTimestamp();
        var threw = true;
        try
        {
            await next(context);
            threw = false;
        }
        finally
        {
            var route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>();
            var status = threw ? RequestOutcome.StatusAfterException(context) : context.Response.StatusCode;
            var outcome = threw ? RequestOutcome.OfException(context) : RequestOutcome.Of(context);
            if (outcome == RequestOutcome.ClientError)
            {
                ConnectionPeer.ClientErrorLogged(context.Connection.Id, status);
                // The hard stop aborts the request as a client that leaves does.
                if (requests.CutOff)
                {
                    outcome = RequestOutcome.CutOff;
                    if (!context.Response.HasStarted)
                    {
                        // What YARP left there (400 for a request it gave up) never reached the client.
                        status = RequestOutcome.NoStatusSent;
                    }
                }
            }

            if (HasBody(context.Request))
            {
                ConnectionPeer.RequestWithBodyLogged(context.Connection.Id);
            }

            var elapsedMs = timeProvider.GetElapsedTime(started).TotalMilliseconds;
            // Only a request the switch decided can have been decided by the other reading's window.
            if (!ReferenceEquals(outcome, RequestOutcome.Forwarded) && SentPathFeature.WindowClusterIdOf(context) is { } windowClusterId)
            {
                RequestLog.CompletedByOtherReadingWindow(logger, context.Request.Method, LoggedPath(context), status, outcome, elapsedMs,
                    route?.Config.RouteId, route?.Cluster?.ClusterId, windowClusterId);
            }
            else if (!ReferenceEquals(outcome, RequestOutcome.Forwarded) && ForwardedHostWindowFeature.SiteOf(context) is { } windowSite)
            {
                RequestLog.CompletedByForwardedHostWindow(logger, context.Request.Method, LoggedPath(context), status, outcome, elapsedMs,
                    route?.Config.RouteId, route?.Cluster?.ClusterId, windowSite);
            }
            else
            {
                RequestLog.Completed(logger, context.Request.Method, LoggedPath(context), status, outcome, elapsedMs, route?.Config.RouteId, route?.Cluster?.ClusterId);
            }
        }
    }
}
