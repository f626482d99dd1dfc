using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>A backend answer no client could read is the backend's failure: a 502, logged <c>proxy-error</c>, never maintenance.</summary>
public sealed class GarbledBackendAnswerEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly RawBackend _backend = new();

    public void Dispose()
    {
        _backend.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task StatusBelow100_Gets502_LoggedAsProxyError_AndTheNextRequestIsForwarded()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, _backend.Url);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var answering = _backend.AnswerOnceAsync("HTTP/1.1 099 Odd\r\nContent-Length: 2\r\nX-App: dropped\r\nConnection: close\r\n\r\nok"u8.ToArray());
        using var response = await client.GetAsync(proxy.PublicUrl + "/orders");
        await answering;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Maintenance-Mode"));
        Assert.False(response.Headers.Contains("X-App"));
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.True(await proxy.WaitForOutputAsync("GET /orders → 502 proxy-error", TimeSpan.FromSeconds(5)), proxy.Output);
        Assert.Contains("answered with status 99, below 100", proxy.Output, StringComparison.Ordinal);

        answering = _backend.AnswerOnceAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
        using var next = await client.GetAsync(proxy.PublicUrl + "/orders");
        await answering;
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal("ok", await next.Content.ReadAsStringAsync());
    }
}
