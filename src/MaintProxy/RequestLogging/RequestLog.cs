namespace MaintProxy.RequestLogging;

internal static partial class RequestLog
{
    [LoggerMessage(2001, LogLevel.Information, "{Method} {Path} → {StatusCode} {Outcome} in {ElapsedMs:0.0} ms (route {RouteId}, cluster {ClusterId})")]
    public static partial void Completed(ILogger logger, string method, string path, int statusCode, string outcome, double elapsedMs, string? routeId, string? clusterId);
}
