using System.Net.Sockets;
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

    // Below zero: closed. Incrementing it keeps it below zero, so a request may count itself without a loop.
    private const int Closed = int.MinValue;

    private const int NotSeen = -1;

    // Cancelled when Kestrel's stop asks the connection to close: it then closes at once the ones it can.
    private readonly CancellationToken _closeRequested =
        connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;

    private readonly Socket? _socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;

    // NoRequestYet, then RequestBegun; while draining, one more for each request that begins.
    private int _state;

    // The state seen by the previous check, when that check found the connection waiting to be closed.
    private int _stateSeen = NotSeen;

    // HTTP/2: an answer the app has finished may still wait in Kestrel for the client's flow-control window,
    // which the kernel's send queue does not show, and Kestrel gives no sign when it has sent the last byte.
    private volatile bool _multiplexed;

    // HTTP/2 only: what wakes Kestrel so that it closes the connection once every answer is written.
    private WakeableHttp2Input? _input;

    /// <summary>Set before Kestrel reads HTTP/2 from the connection (after TLS, if any).</summary>
    public void WakesThrough(WakeableHttp2Input input) => _input = input;

    /// <summary>
    /// Marks the connection as carrying a request. Once marked, the drain leaves it to Kestrel while it may
    /// still be sending an answer; a request that loses the race to <see cref="TryCloseIfStalled"/>
    /// is on a connection already closed.
    /// </summary>
    public void RequestBegins(HttpContext context)
    {
        if (Volatile.Read(ref _state) == NoRequestYet)
        {
            NoteProtocol(context);
            Interlocked.CompareExchange(ref _state, RequestBegun, NoRequestYet);
        }
    }

    /// <summary>
    /// Marks a request that begins during the drain, so that a check which found the connection between
    /// two requests no longer closes it.
    /// </summary>
    public void RequestBeginsWhileDraining(HttpContext context)
    {
        if (Volatile.Read(ref _state) == NoRequestYet)
        {
            NoteProtocol(context);
        }

        Interlocked.Increment(ref _state);
    }

    /// <summary>
    /// Closes the connection if it is still open one check after Kestrel asked it to close and the check
    /// before found it the same: no request has begun on it (a TLS handshake, a request head or an HTTP/2
    /// preface not complete yet), or no other one has since and nothing of its answers is left to send
    /// (its next request head stalls). Kestrel closes the idle ones itself, HTTP/2 ones with a GOAWAY, and
    /// waits for these until its own timeout. An HTTP/2 connection that has carried a request is never closed here:
    /// Kestrel closes it itself once every answer is written, but sees that only when it next reads from the
    /// client; it is woken here to look again (see <see cref="WakeableHttp2Input"/>), unless TLS on it is
    /// Kestrel's own (an endpoint with an <c>Sni</c> section): then it is left to its client, or to the hard stop.
    /// Called only while no request is in flight.
    /// </summary>
    public bool TryCloseIfStalled()
    {
        var state = Volatile.Read(ref _state);
        if (state < 0 || !_closeRequested.IsCancellationRequested)
        {
            return false;
        }

        if (state != NoRequestYet && _multiplexed)
        {
            _stateSeen = NotSeen;
            _input?.Wake();
            return false;
        }

        if (state != NoRequestYet && !SendQueue.IsEmpty(_socket))
        {
            _stateSeen = NotSeen;
            return false;
        }

        if (_stateSeen != state)
        {
            _stateSeen = state;
            return false;
        }

        if (Interlocked.CompareExchange(ref _state, Closed, state) != state)
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

    // Before the state leaves NoRequestYet, so that a check which sees a request begun also sees its protocol.
    private void NoteProtocol(HttpContext context) => _multiplexed = HttpProtocol.IsHttp2(context.Request.Protocol);

    private void Abort() => connection.Abort(new ConnectionAbortedException("The proxy is stopping."));
}
