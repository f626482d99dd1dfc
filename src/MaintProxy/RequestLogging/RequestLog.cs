namespace MaintProxy.RequestLogging;

internal static partial class RequestLog
{
    [LoggerMessage(2001, LogLevel.Information, "{Method} {Path} → {StatusCode} {Outcome} in {ElapsedMs:0.0} ms (route {RouteId}, cluster {ClusterId})")]
    public static partial void Completed(ILogger logger, string method, string path, int statusCode, string outcome, double elapsedMs, string? routeId, string? clusterId);

    /// <summary>A request decided by the window of the cluster its path routes to as other backends read it, not by the routed cluster's.</summary>
    [LoggerMessage(2003, LogLevel.Information, "{Method} {Path} → {StatusCode} {Outcome} in {ElapsedMs:0.0} ms (route {RouteId}, cluster {ClusterId}; window of cluster {WindowClusterId}, where other backends read the path)")]
    public static partial void CompletedByOtherReadingWindow(ILogger logger, string method, string path, int statusCode, string outcome, double elapsedMs, string? routeId, string? clusterId, string windowClusterId);

    /// <summary>A request decided by the window of a site that its <c>X-Forwarded-Host</c> names, and neither its <c>Host</c> nor its cluster.</summary>
    [LoggerMessage(2004, LogLevel.Information, "{Method} {Path} → {StatusCode} {Outcome} in {ElapsedMs:0.0} ms (route {RouteId}, cluster {ClusterId}; window of site {WindowSite}, named by X-Forwarded-Host)")]
    public static partial void CompletedByForwardedHostWindow(ILogger logger, string method, string path, int statusCode, string outcome, double elapsedMs, string? routeId, string? clusterId, string windowSite);

    /// <summary>A request Kestrel refused before the pipeline saw it: no method or path worth quoting, and no route.</summary>
    [LoggerMessage(2002, LogLevel.Information, "{Method} {Path} → {StatusCode} {Outcome} ({Reason}) from {ClientAddress}")]
    public static partial void Refused(ILogger logger, string method, string path, int statusCode, string outcome, string reason, string clientAddress);
}
