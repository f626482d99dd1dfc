using System.Net;
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

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task DestinationThatNeverAccepts_Gets504AfterTheConfiguredConnectTimeout()
    {
        using var destination = await FullAcceptQueueListener.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, $"http://127.0.0.1:{destination.Port}/",
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
}
