using Microsoft.AspNetCore.Connections;

namespace MaintProxy.Lifetime;

/// <summary>
/// Every open connection to a public listener, kept by a connection middleware placed before TLS, so
/// that the drain can close the ones Kestrel's own stop waits for although they carry no request: a
/// TLS handshake or a request head that stalls (a port scanner, a slowloris client) would hold the exit
/// until Kestrel's own timeout for it. One entry a connection, nothing a request but a mark.
/// </summary>
internal sealed class OpenConnections
{
    private readonly Lock _lock = new();
    private readonly HashSet<OpenConnection> _open = [];
    private bool _closingAll;

    public async Task TrackAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var open = new OpenConnection(connection);
        connection.Features.Set(open);
        bool closingAll;
        lock (_lock)
        {
            closingAll = _closingAll;
            _open.Add(open);
        }

        if (closingAll)
        {
            open.Close();
        }

        try
        {
            await next(connection);
        }
        finally
        {
            lock (_lock)
            {
                _open.Remove(open);
            }
        }
    }

    /// <summary>Closes the stalled connections Kestrel could not close itself (see <see cref="OpenConnection.TryCloseIfStalled"/>); returns how many.</summary>
    public int CloseStalled()
    {
        var closed = 0;
        foreach (var open in Snapshot())
        {
            if (open.TryCloseIfStalled())
            {
                closed++;
            }
        }

        return closed;
    }

    /// <summary>The hard stop: closes every connection, and each one that begins later at once; returns how many were open.</summary>
    public int CloseAll()
    {
        OpenConnection[] open;
        lock (_lock)
        {
            _closingAll = true;
            open = [.. _open];
        }

        foreach (var connection in open)
        {
            connection.Close();
        }

        return open.Length;
    }

    private OpenConnection[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _open];
        }
    }
}
