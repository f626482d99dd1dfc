using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MaintProxy.FastCgi;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>The <c>FastCgi</c> section's timeouts, against real loopback sockets.</summary>
public sealed class FastCgiOptionsTests
{
    [Fact]
    public async Task ConnectTimeout_ServerNotAccepting_FailsAtTheTimeoutWithAClearMessage()
    {
        // A listener whose accept queue is full: the kernel drops further SYNs, so a connect hangs.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
                try
                {
                    await filler.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
                }
                catch (OperationCanceledException)
                {
                    break; // the queue is full
                }
            }

            Assert.True(FastCgiEndpoint.TryParseAddress($"fcgi://127.0.0.1:{port}", out var endpoint, out var error), error);
            var started = Stopwatch.GetTimestamp();
            var ex = await Assert.ThrowsAsync<HttpRequestException>(async () =>
                await FastCgiConnection.ConnectAsync(endpoint, TimeSpan.FromMilliseconds(300), CancellationToken.None));

            Assert.Contains("took longer than 0.3 s", ex.Message, StringComparison.Ordinal);
            Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        }
        finally
        {
            fillers.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task PooledConnectionIdleTimeout_IdleConnectionIsClosedAfterIt()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Assert.True(FastCgiEndpoint.TryParseAddress($"fcgi://127.0.0.1:{port}", out var endpoint, out var error), error);
        using var pool = new FastCgiConnectionPool(1, TimeSpan.FromSeconds(1), TimeProvider.System,
            token => FastCgiConnection.ConnectAsync(endpoint, TimeSpan.FromSeconds(5), token));

        var (connection, _) = await pool.AcquireAsync(default);
        using var serverSide = await listener.AcceptSocketAsync();
        pool.Release(connection, reusable: true);
        Assert.Equal(1, pool.IdleCount);

        Assert.True(await Eventually.TrueAsync(() => pool.Count == 0, TimeSpan.FromSeconds(10)), "the idle connection was kept");
        var buffer = new byte[1];
        var read = await serverSide.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, read); // the server sees the close: its worker is free again
    }
}
