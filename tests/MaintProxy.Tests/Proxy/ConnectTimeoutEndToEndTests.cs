using System.Net;
using System.Net.Sockets;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// A destination that never completes a connection (a host that is down drops the attempt instead of
/// refusing it) fails the request with 504 after <c>HttpBackends:ConnectTimeout</c>, never the
/// maintenance answer.
/// </summary>
public sealed class ConnectTimeoutEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = [];

    public void Dispose()
    {
        foreach (var filler in _fillers)
        {
            filler.Dispose();
        }

        _listener.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task DestinationThatNeverAccepts_Gets504AfterTheConfiguredConnectTimeout()
    {
        var port = await ListenerWithFullAcceptQueueAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, $"http://127.0.0.1:{port}/",
            new Dictionary<string, string> { ["HttpBackends:ConnectTimeout"] = "00:00:01" });
        // Well below YARP's 15 s default: the configured timeout is what ends the wait.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var response = await client.GetAsync(proxy.PublicUrl + "/orders");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Maintenance-Mode"));
        Assert.True(await proxy.WaitForOutputAsync("GET /orders → 504 proxy-error", TimeSpan.FromSeconds(5)), proxy.Output);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:10:00")]
    public async Task ConnectTimeoutOutOfRange_RefusesToStart(string value)
    {
        var output = await ProxyProcess.StartRefusedAsync(_dir.Path, "http://127.0.0.1:1/",
            new Dictionary<string, string> { ["HttpBackends:ConnectTimeout"] = value });

        Assert.Contains("ConnectTimeout", output, StringComparison.Ordinal);
    }

    /// <summary>A listener that never accepts, its queue filled by connections of our own: further SYNs are dropped.</summary>
    private async Task<int> ListenerWithFullAcceptQueueAsync()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(0);
        var endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        for (var i = 0; i < 8; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _fillers.Add(filler);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                await filler.ConnectAsync(endpoint, cts.Token);
            }
            catch (OperationCanceledException)
            {
                return endpoint.Port; // this one was dropped: the queue is full
            }
        }

        throw new InvalidOperationException("The accept queue never filled up.");
    }
}
