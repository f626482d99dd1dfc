using Microsoft.Extensions.Logging.Abstractions;

namespace MaintProxy.RequestLogging;

/// <summary>
/// Turns Kestrel's report of a request it refused itself (a malformed request line or header, 408 for a
/// head too slow, 414, 431, an HTTP/2 header list too long) into a request-log line: those never reach the
/// pipeline, so the request log would not otherwise know of them. Kestrel reports them at Debug, which
/// the log's own levels keep out; this provider takes them whatever those levels are.
/// </summary>
internal sealed class KestrelRefusalLoggerProvider(IServiceProvider services) : ILoggerProvider
{
    public const string KestrelBadRequestsCategory = "Microsoft.AspNetCore.Server.Kestrel.BadRequests";

    private readonly Lazy<ILogger> _requestLog = new(() => services.GetRequiredService<ILogger<RequestLoggingMiddleware>>());

    public ILogger CreateLogger(string categoryName) =>
        categoryName == KestrelBadRequestsCategory ? new KestrelRefusalLogger(_requestLog) : NullLogger.Instance;

    public void Dispose()
    {
    }
}
