using Yarp.ReverseProxy.Model;

namespace MaintProxy.RequestLogging;

/// <summary>One structured line per request: what was asked, how it was answered, how long it took.</summary>
internal sealed class RequestLoggingMiddleware(RequestDelegate next, TimeProvider timeProvider, ILogger<RequestLoggingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            await next(context);
            return;
        }

        var started = timeProvider.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>();
            RequestLog.Completed(
                logger,
                context.Request.Method,
                context.Request.Path.Value ?? "/",
                context.Response.StatusCode,
                RequestOutcome.Of(context),
                timeProvider.GetElapsedTime(started).TotalMilliseconds,
                route?.Config.RouteId,
                route?.Cluster?.ClusterId);
        }
    }
}
