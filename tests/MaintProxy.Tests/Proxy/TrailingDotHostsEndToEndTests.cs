using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// A route for <c>shop.example</c> takes <c>shop.example.</c> too (the same name to DNS and to nginx), so a
/// window for its cluster covers it rather than the catch-all forwarding it to a backend that serves that
/// site. Real proxy, raw requests.
/// </summary>
public sealed class TrailingDotHostsEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task HostWithATrailingDot_TakesTheRouteOfItsName_AndItsClustersWindow()
    {
        await using var shop = await TestBackend.StartAsync();
        await using var proxy = await StartProxyAsync(new()
        {
            ["ReverseProxy:Routes:shop:ClusterId"] = "shop",
            ["ReverseProxy:Routes:shop:Order"] = "-1",
            ["ReverseProxy:Routes:shop:Match:Hosts:0"] = "shop.example",
            ["ReverseProxy:Routes:shop:Match:Hosts:1"] = "*.shop.example",
            ["ReverseProxy:Clusters:shop:Destinations:one:Address"] = shop.Url,
        });

        foreach (var host in new[] { "shop.example.", "SHOP.example.", $"shop.example.:{proxy.PublicPort}", "www.shop.example." })
        {
            var routed = await RawHttp.SendAsync(proxy.PublicPort, $"GET /x HTTP/1.1\r\nHost: {host}\r\n\r\n");
            Assert.Equal(200, routed.StatusCode);
        }

        Assert.Equal(4, shop.Requests.Count);
        var down = await Scripts.DownAsync(proxy, "--site", "shop");
        Assert.True(down.ExitCode == 0, down.Stderr);

        var covered = await RawHttp.SendAsync(proxy.PublicPort, "GET /x HTTP/1.1\r\nHost: shop.example.\r\n\r\n");
        var other = await RawHttp.SendAsync(proxy.PublicPort, "GET /x HTTP/1.1\r\nHost: other.example.\r\n\r\n");

        Assert.Equal(503, covered.StatusCode);
        Assert.Equal("1", covered.Header("X-Maintenance-Mode"));
        Assert.Equal(200, other.StatusCode);
        Assert.Equal("other.example.", Assert.Single(Backend.Requests).Header("X-Forwarded-Host"));
        Assert.Equal(4, shop.Requests.Count);
    }

    [Fact]
    public async Task HostsWrittenWithATrailingDot_TakeTheNameWithoutIt_AndItsClustersWindow()
    {
        await using var shop = await TestBackend.StartAsync();
        await using var proxy = await StartProxyAsync(new()
        {
            ["ReverseProxy:Routes:shop:ClusterId"] = "shop",
            ["ReverseProxy:Routes:shop:Order"] = "-1",
            ["ReverseProxy:Routes:shop:Match:Hosts:0"] = "shop.example.",
            ["ReverseProxy:Routes:shop:Match:Hosts:1"] = "*.shop.example.",
            ["ReverseProxy:Clusters:shop:Destinations:one:Address"] = shop.Url,
        });

        foreach (var host in new[] { "shop.example", "shop.example.", $"SHOP.example:{proxy.PublicPort}", "www.shop.example" })
        {
            var routed = await RawHttp.SendAsync(proxy.PublicPort, $"GET /x HTTP/1.1\r\nHost: {host}\r\n\r\n");
            Assert.Equal(200, routed.StatusCode);
        }

        Assert.Equal(4, shop.Requests.Count);
        Assert.Empty(Backend.Requests);
        var down = await Scripts.DownAsync(proxy, "--site", "shop");
        Assert.True(down.ExitCode == 0, down.Stderr);

        var covered = await RawHttp.SendAsync(proxy.PublicPort, "GET /x HTTP/1.1\r\nHost: shop.example\r\n\r\n");

        Assert.Equal(503, covered.StatusCode);
        Assert.Equal("1", covered.Header("X-Maintenance-Mode"));
        Assert.Empty(Backend.Requests);
        Assert.Equal(4, shop.Requests.Count);
    }
}
