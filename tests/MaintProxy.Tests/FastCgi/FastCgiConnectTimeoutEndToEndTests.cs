using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// A FastCGI server that never completes a connection (a host that is down, a full accept queue) fails
/// the request with 502 after <c>FastCgi:ConnectTimeout</c>, never the maintenance answer.
/// </summary>
public sealed class FastCgiConnectTimeoutEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ServerThatNeverAccepts_Gets502AfterTheConfiguredConnectTimeout()
    {
        using var server = await FullAcceptQueueListener.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, $"fcgi://127.0.0.1:{server.Port}", new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:Metadata:Transport"] = "FastCGI",
            ["ReverseProxy:Clusters:app:Metadata:FastCGI.DocumentRoot"] = "/srv/www",
            ["ReverseProxy:Clusters:app:HttpClient:MaxConnectionsPerServer"] = "1",
            ["FastCgi:ConnectTimeout"] = "00:00:01",
        });
        // Below the 5 s default: the configured timeout is what ends the wait.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };

        using var response = await client.GetAsync(proxy.PublicUrl + "/index.php");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Maintenance-Mode"));
        Assert.True(await proxy.WaitForOutputAsync("GET /index.php → 502 proxy-error", TimeSpan.FromSeconds(5)), proxy.Output);
    }
}
