using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>
/// A window for a host name covers a request whose <c>X-Forwarded-Host</c> names that host, whatever its
/// <c>Host</c>: a trusted proxy's header reaches the backend, which (Django, Rails, Express, Symfony behind
/// a proxy) takes its site from it. Real scripts, real proxy, raw requests.
/// </summary>
public sealed class ForwardedHostWindowsEndToEndTests : EndToEndTest
{
    [Theory]
    [InlineData("shop.example")]
    [InlineData("SHOP.example.:443")]
    [InlineData("other.example, shop.example")]
    [InlineData("shop.example,other.example")]
    public async Task ForwardedHostOfACoveredSite_FromATrustedProxy_GetsTheMaintenanceAnswer(string forwardedHost)
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:TrustedProxies:0"] = "127.0.0.1" });
        var down = await Scripts.DownAsync(proxy, "--site", "shop.example");
        Assert.True(down.ExitCode == 0, down.Stderr);

        var covered = await RawHttp.SendAsync(proxy.PublicPort, $"GET /x HTTP/1.1\r\nHost: other.example\r\nX-Forwarded-Host: {forwardedHost}\r\n\r\n");
        var other = await RawHttp.SendAsync(proxy.PublicPort, "GET /x HTTP/1.1\r\nHost: other.example\r\nX-Forwarded-Host: other.example\r\n\r\n");

        Assert.Equal(503, covered.StatusCode);
        Assert.Equal("1", covered.Header("X-Maintenance-Mode"));
        Assert.Equal(200, other.StatusCode);
        Assert.Equal("other.example", Assert.Single(Backend.Requests).Header("X-Forwarded-Host"));
    }

    [Fact]
    public async Task ForwardedHostOfACoveredSite_IsAWrite_InAReadOnlyWindow()
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:TrustedProxies:0"] = "127.0.0.1" });
        var down = await Scripts.DownAsync(proxy, "--site", "shop.example", "--read-only");
        Assert.True(down.ExitCode == 0, down.Stderr);

        var write = await RawHttp.SendAsync(proxy.PublicPort, "POST /orders HTTP/1.1\r\nHost: other.example\r\nX-Forwarded-Host: shop.example\r\nContent-Length: 0\r\n\r\n");
        var read = await RawHttp.SendAsync(proxy.PublicPort, "GET /orders HTTP/1.1\r\nHost: other.example\r\nX-Forwarded-Host: shop.example\r\n\r\n");

        Assert.Equal(503, write.StatusCode);
        Assert.Equal("read-only", write.Header("X-Maintenance-Scope"));
        Assert.Equal(200, read.StatusCode);
        Assert.Equal("GET", Assert.Single(Backend.Requests).Method);
    }

    [Fact]
    public async Task ForwardedHostOfACoveredSite_FromAnyoneElse_GetsTheMaintenanceAnswerToo()
    {
        // The default transforms replace it with the Host, but a route's own X-Forwarded transform (Append) keeps it.
        await using var proxy = await StartProxyAsync();
        var down = await Scripts.DownAsync(proxy, "--site", "shop.example");
        Assert.True(down.ExitCode == 0, down.Stderr);

        var covered = await RawHttp.SendAsync(proxy.PublicPort, "GET /x HTTP/1.1\r\nHost: other.example\r\nX-Forwarded-Host: shop.example\r\n\r\n");

        Assert.Equal(503, covered.StatusCode);
        Assert.Empty(Backend.Requests);
    }

    [Fact]
    public async Task DrainOfASite_WaitsForARequestThatNamesItOnlyInForwardedHost()
    {
        await using var backend = await TestBackend.StartCountingFinishedAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, backend.Url, new Dictionary<string, string> { ["Maintenance:TrustedProxies:0"] = "127.0.0.1" });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, proxy.PublicUrl + "/slow?ms=3000");
        request.Headers.Host = "other.example";
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "shop.example");
        var slow = client.SendAsync(request);
        Assert.True(await Eventually.TrueAsync(() => backend.Requests.Any(r => r.Path == "/slow"), TimeSpan.FromSeconds(10)), proxy.Output);

        var down = await Scripts.DownAsync(proxy, "--site", "shop.example", "--drain=20");

        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.True(backend.Finished == 1, $"down.sh --drain returned after {down.Elapsed} with a request for shop.example (X-Forwarded-Host) still running at the backend");
        using var response = await slow;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RequestLog_SaysTheWindowWasNamedByForwardedHost()
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:TrustedProxies:0"] = "127.0.0.1" });
        var down = await Scripts.DownAsync(proxy, "--site", "shop.example");
        Assert.True(down.ExitCode == 0, down.Stderr);

        var covered = await RawHttp.SendAsync(proxy.PublicPort, "GET /by-forwarded-host HTTP/1.1\r\nHost: other.example\r\nX-Forwarded-Host: other.example, SHOP.example:443\r\n\r\n");
        var byHost = await RawHttp.SendAsync(proxy.PublicPort, "GET /by-host HTTP/1.1\r\nHost: shop.example\r\nX-Forwarded-Host: shop.example\r\n\r\n");

        Assert.Equal(503, covered.StatusCode);
        Assert.Equal(503, byHost.StatusCode);
        Assert.True(await proxy.WaitForOutputAsync("GET /by-host → 503", TimeSpan.FromSeconds(10)), proxy.Output);
        var lines = proxy.Output.Split('\n');
        var coveredLine = Assert.Single(lines, l => l.Contains("GET /by-forwarded-host → 503 maintenance", StringComparison.Ordinal));
        Assert.Contains("window of site shop.example, named by X-Forwarded-Host", coveredLine, StringComparison.Ordinal);
        var byHostLine = Assert.Single(lines, l => l.Contains("GET /by-host → 503 maintenance", StringComparison.Ordinal));
        Assert.DoesNotContain("X-Forwarded-Host", byHostLine, StringComparison.Ordinal);
    }
}
