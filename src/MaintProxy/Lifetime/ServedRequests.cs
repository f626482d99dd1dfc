using Microsoft.AspNetCore.Http.Features;

namespace MaintProxy.Lifetime;

/// <summary>
/// Counts the requests being served and can cut them all off. The count is what the drain waits
/// for and reports; cutting off is the hard stop after a second signal or the drain timeout. Once the
/// drain began, every HTTP/1.x answer closes its connection.
/// </summary>
internal sealed class ServedRequests : IDisposable
{
    private readonly CancellationTokenSource _abortAll = new();
    private int _count;
    private volatile bool _closeConnections;

    public int Count => Volatile.Read(ref _count);

    /// <summary>From now on each HTTP/1.x answer carries <c>Connection: close</c>, and its connection closes after it.</summary>
    public void CloseConnectionsAfterTheirAnswer() => _closeConnections = true;

    public async Task TrackAsync(HttpContext context, RequestDelegate next)
    {
        // Before the count: the drain closes stalled connections only once the count is zero.
        var connection = context.Features.Get<OpenConnection>();
        var draining = _closeConnections;
        if (draining)
        {
            connection?.RequestBeginsWhileDraining(context);
        }
        else
        {
            connection?.RequestBegins(context);
        }

        Interlocked.Increment(ref _count);
        if (draining && ClosesAfterItsAnswer(context))
        {
            context.Response.Headers.Connection = "close";
        }

        // After a hard stop the registration fires at once, so a late request is cut off too.
        var registration = _abortAll.Token.UnsafeRegister(static state => ((HttpContext)state!).Abort(), context);
        try
        {
            await next(context);
        }
        finally
        {
            registration.Dispose();
            Interlocked.Decrement(ref _count);
        }
    }

    // HTTP/2 and 3 close with GOAWAY when Kestrel stops; an upgrade (a WebSocket) keeps its connection.
    private static bool ClosesAfterItsAnswer(HttpContext context) =>
        !HttpProtocol.IsHttp2(context.Request.Protocol) && !HttpProtocol.IsHttp3(context.Request.Protocol)
        && context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest != true;

    /// <summary>Aborts the connection of every request in flight, and of every one that starts later.</summary>
    public void AbortAll() => _abortAll.Cancel();

    /// <summary>The hard stop has cut off the requests in flight: a request that failed since did not fail on its client's side.</summary>
    public bool CutOff => _abortAll.IsCancellationRequested;

    public void Dispose() => _abortAll.Dispose();
}
