using System.IO.Pipelines;
using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

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

    /// <summary>
    /// Keeps the connection while it is open. When <paramref name="cleartextHttp2"/> (it speaks HTTP/2 without
    /// TLS), Kestrel reads it through a <see cref="WakeableHttp2Input"/> the drain can wake.
    /// </summary>
    public async Task TrackAsync(ConnectionContext connection, ConnectionDelegate next, bool cleartextHttp2)
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
            await (cleartextHttp2 ? ReadHttp2WakeablyAsync(connection, open, next) : next(connection));
        }
        finally
        {
            lock (_lock)
            {
                _open.Remove(open);
            }
        }
    }

    /// <summary>
    /// Placed after TLS: when the handshake chose HTTP/2 (ALPN h2), Kestrel reads the decrypted connection
    /// through a <see cref="WakeableHttp2Input"/> the drain can wake, as it does a cleartext HTTP/2 one.
    /// </summary>
    public static Task WakeHttp2OverTlsAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var open = connection.Features.Get<OpenConnection>();
        var protocol = connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol ?? default;
        return open is not null && protocol.Span.SequenceEqual(SslApplicationProtocol.Http2.Protocol.Span)
            ? ReadHttp2WakeablyAsync(connection, open, next)
            : next(connection);
    }

    private static async Task ReadHttp2WakeablyAsync(ConnectionContext connection, OpenConnection open, ConnectionDelegate next)
    {
        var transport = connection.Transport;
        var input = new WakeableHttp2Input(transport.Input);
        open.WakesThrough(input);
        connection.Transport = new DuplexPipe(input, transport.Output);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
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

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
