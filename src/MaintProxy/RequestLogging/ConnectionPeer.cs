using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;

namespace MaintProxy.RequestLogging;

/// <summary>
/// What the request log knows of each open connection, for the requests Kestrel refuses itself: its
/// report of them names only the connection id. Kept by a connection middleware, from the connection's
/// start to its end: one entry a connection, nothing a request.
/// </summary>
internal static class ConnectionPeer
{
    private static readonly ConcurrentDictionary<string, ConnectionPeerState> Open = new(StringComparer.Ordinal);

    public static async Task TrackAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        Open[connection.ConnectionId] = new ConnectionPeerState(connection.RemoteEndPoint);
        try
        {
            await next(connection);
        }
        finally
        {
            Open.TryRemove(connection.ConnectionId, out _);
        }
    }

    public static EndPoint? RemoteEndPointOf(string connectionId) =>
        Open.TryGetValue(connectionId, out var state) ? state.RemoteEndPoint : null;

    /// <summary>
    /// The pipeline logged a request of this connection as <c>client-error</c> with this status. When
    /// Kestrel refused its body (413, a bad chunk, a body too slow), it reports that refusal afterwards,
    /// and the request already has its line.
    /// </summary>
    public static void ClientErrorLogged(string? connectionId, int statusCode)
    {
        // No id: a request not from Kestrel (an in-memory test server), which refuses nothing itself.
        if (connectionId is not null && Open.TryGetValue(connectionId, out var state))
        {
            state.ClientErrorStatusLogged = statusCode;
        }
    }

    /// <summary>
    /// The pipeline logged a request of this connection that came with a body. When it answered without
    /// reading the body (a maintenance answer), Kestrel reads it after the answer, to keep the connection,
    /// and reports what goes wrong then (over <c>MaxRequestBodySize</c>, the client gone): of that request.
    /// </summary>
    public static void RequestWithBodyLogged(string? connectionId)
    {
        if (connectionId is not null && Open.TryGetValue(connectionId, out var state))
        {
            state.RequestWithBodyLogged = 1;
        }
    }

    /// <summary>
    /// Whether Kestrel's refusal with this status is of the request the pipeline logged last (asked once):
    /// a client-error with this status, or a refusal of the body of a request logged with one. The next
    /// request of a connection is read only once the body before it is, so such a refusal is never of a later one.
    /// </summary>
    public static bool IsAlreadyLogged(string connectionId, int statusCode, bool isBodyRefusal) =>
        Open.TryGetValue(connectionId, out var state)
        && (Interlocked.Exchange(ref state.ClientErrorStatusLogged, 0) == statusCode
            | (isBodyRefusal && Interlocked.Exchange(ref state.RequestWithBodyLogged, 0) == 1));
}
