using MaintProxy.Lifetime;
using MaintProxy.RequestLogging;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.RequestLogging;

/// <summary>
/// A request that ends in an exception is logged as it is answered, not as the pipeline meant to
/// answer it: Kestrel turns it into a 500 (or a cut connection), so "200 forwarded" would hide a
/// failure of the proxy's own among the requests that went well.
/// </summary>
public sealed class RequestLoggingMiddlewareTests : IDisposable
{
    private readonly LogCapture _logs = new();
    private readonly ServedRequests _requests = new();

    public void Dispose() => _requests.Dispose();

    [Fact]
    public async Task ExceptionBeforeTheAnswer_IsLoggedAs500InternalError()
    {
        var context = Request("/orders");

        await Assert.ThrowsAsync<InvalidOperationException>(() => Middleware(_ => throw new InvalidOperationException("bug")).InvokeAsync(context));

        Assert.Contains(_logs.Entries, e => e.Message.StartsWith("GET /orders → 500 internal-error in ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExceptionOnceTheClientLeft_IsLoggedAsClientError()
    {
        using var left = new CancellationTokenSource();
        await left.CancelAsync();
        var context = Request("/orders");
        context.RequestAborted = left.Token;

        await Assert.ThrowsAsync<OperationCanceledException>(() => Middleware(_ => throw new OperationCanceledException(left.Token)).InvokeAsync(context));

        Assert.Contains(_logs.Entries, e => e.Message.StartsWith("GET /orders → 500 client-error in ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RequestWithoutException_IsLoggedWithItsStatus()
    {
        var context = Request("/orders");

        await Middleware(c =>
        {
            c.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }).InvokeAsync(context);

        Assert.Contains(_logs.Entries, e => e.Message.StartsWith("GET /orders → 404 local in ", StringComparison.Ordinal));
    }

    private RequestLoggingMiddleware Middleware(RequestDelegate next) =>
        new(next, _requests, TimeProvider.System, new Logger<RequestLoggingMiddleware>(new LoggerFactory([_logs])));

    private static DefaultHttpContext Request(string path) => new() { Request = { Method = "GET", Path = path } };
}
