using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// A keep-alive HTTP/1.1 backend that answers each request on its head alone, never reading a body, as
/// a health check on Python's <c>http.server</c> does: the bytes of an unread body are read as the next
/// request on the connection. It stops reading a connection after a request with <c>Connection: close</c>.
/// </summary>
internal sealed class BodyIgnoringBackend : IAsyncDisposable
{
    private static readonly byte[] Answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray();
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<string> _requestLines = new();
    private readonly ConcurrentQueue<Task> _connections = new();
    private readonly Task _accepting;

    public BodyIgnoringBackend()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

    /// <summary>The request lines it ran, once every connection it accepted has ended (the proxy has closed them).</summary>
    public async Task<string[]> RequestLinesOnceConnectionsEndAsync()
    {
        await Task.WhenAll(_connections).WaitAsync(TimeSpan.FromSeconds(30));
        return [.. _requestLines];
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _accepting;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptSocketAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            _connections.Enqueue(ServeAsync(connection));
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using var _ = connection;
        var pending = new List<byte>();
        var buffer = new byte[4096];
        for (var served = 0; served < 1000; served++)
        {
            int end;
            while ((end = CollectionsMarshal.AsSpan(pending).IndexOf(HeadEnd)) < 0)
            {
                var read = await ReceiveAsync(connection, buffer);
                if (read == 0)
                {
                    return;
                }

                pending.AddRange(buffer.AsSpan(0, read).ToArray());
            }

            var head = Encoding.Latin1.GetString([.. pending], 0, end);
            pending.RemoveRange(0, end + HeadEnd.Length);
            _requestLines.Enqueue(head.Split("\r\n")[0]);
            await connection.SendAsync(Answer);
            if (head.Contains("\r\nConnection: close", StringComparison.OrdinalIgnoreCase))
            {
                // Unread bytes stay unread; closing gently lets the answer arrive before the close.
                connection.Shutdown(SocketShutdown.Send);
                for (var drained = 0; drained < 1000 && await ReceiveAsync(connection, buffer) > 0; drained++)
                {
                }

                return;
            }
        }
    }

    private static async Task<int> ReceiveAsync(Socket connection, byte[] buffer)
    {
        try
        {
            return await connection.ReceiveAsync(buffer);
        }
        catch (SocketException)
        {
            return 0;
        }
    }
}
