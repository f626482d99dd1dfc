using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace MaintProxy.Lifetime;

/// <summary>
/// A connection to a public listener, from its accept to its end, and whether a request has begun on it.
/// It is also a feature of the connection, so that a request finds it through its <c>HttpContext</c>.
/// </summary>
internal sealed class OpenConnection(ConnectionContext connection)
{
    private const int NoRequestYet = 0;
    private const int RequestBegun = 1;
    private const int Closed = 2;

    // Cancelled when Kestrel's stop asks the connection to close: it then closes at once the ones it can.
    private readonly CancellationToken _closeRequested =
        connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;

    private int _state;
    private volatile bool _closeRequestSeen;

    /// <summary>
    /// Marks the connection as carrying a request. Once marked, the drain leaves it to Kestrel, which
    /// closes it after its answer; a request that loses the race to <see cref="TryCloseIfStalled"/>
    /// is on a connection already closed.
    /// </summary>
    public void RequestBegins()
    {
        if (Volatile.Read(ref _state) == NoRequestYet)
        {
            Interlocked.CompareExchange(ref _state, RequestBegun, NoRequestYet);
        }
    }

    /// <summary>
    /// Closes the connection if no request has begun on it (a TLS handshake, a request head or an HTTP/2
    /// preface not complete yet) and it is still open one check after Kestrel asked it to close: Kestrel
    /// closes the idle ones itself, HTTP/2 ones with a GOAWAY, and waits for these until its own timeout.
    /// </summary>
    public bool TryCloseIfStalled()
    {
        if (!_closeRequested.IsCancellationRequested)
        {
            return false;
        }

        if (!_closeRequestSeen)
        {
            _closeRequestSeen = true;
            return false;
        }

        if (Interlocked.CompareExchange(ref _state, Closed, NoRequestYet) != NoRequestYet)
        {
            return false;
        }

        Abort();
        return true;
    }

    /// <summary>Closes the connection, whatever it carries.</summary>
    public void Close()
    {
        Interlocked.Exchange(ref _state, Closed);
        Abort();
    }

    private void Abort() => connection.Abort(new ConnectionAbortedException("The proxy is stopping."));
}
