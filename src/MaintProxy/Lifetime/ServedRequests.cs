namespace MaintProxy.Lifetime;

/// <summary>
/// Counts the requests being served and can cut them all off. The count is what the drain waits
/// for and reports; cutting off is the hard stop after a second signal or the drain timeout.
/// </summary>
internal sealed class ServedRequests : IDisposable
{
    private readonly CancellationTokenSource _abortAll = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public async Task TrackAsync(HttpContext context, RequestDelegate next)
    {
        Interlocked.Increment(ref _count);
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

    /// <summary>Aborts the connection of every request in flight, and of every one that starts later.</summary>
    public void AbortAll() => _abortAll.Cancel();

    public void Dispose() => _abortAll.Dispose();
}
