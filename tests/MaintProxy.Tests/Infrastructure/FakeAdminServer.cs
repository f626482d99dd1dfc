using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// Something else than MaintProxy on the admin port: a loopback TCP server that reads each request's
/// head and answers it as <c>answer</c> says (write to the stream; the connection closes when it returns).
/// </summary>
internal sealed class FakeAdminServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public FakeAdminServer(Func<NetworkStream, CancellationToken, Task> answer)
    {
        _listener.Start();
        _accepting = AcceptAsync(answer);
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Any HTTP server: 200 with an empty JSON object.</summary>
    public static Task AnswerEmptyJson(NetworkStream stream, CancellationToken cancel) =>
        stream.WriteAsync("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"u8.ToArray(), cancel).AsTask();

    /// <summary>A status line, then a header line every 300 ms, never ending the head.</summary>
    public static async Task Trickle(NetworkStream stream, CancellationToken cancel)
    {
        await stream.WriteAsync("HTTP/1.0 200 OK\r\n"u8.ToArray(), cancel);
        while (!cancel.IsCancellationRequested)
        {
            await Task.Delay(300, cancel);
            await stream.WriteAsync("X-Trickle: 1\r\n"u8.ToArray(), cancel);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(Func<NetworkStream, CancellationToken, Task> answer)
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client, answer);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client, Func<NetworkStream, CancellationToken, Task> answer)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[1024];
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    head.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }

                await answer(stream, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
