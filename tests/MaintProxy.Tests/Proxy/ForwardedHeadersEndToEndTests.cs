using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// What the backend is told about the client: from a proxy listed in <c>Maintenance:TrustedProxies</c>
/// (a load balancer ending TLS), its <c>X-Forwarded-For</c> chain with that proxy appended, and its
/// scheme and host; from anyone else, the socket's peer, the scheme and the Host, whatever they sent.
/// </summary>
public sealed class ForwardedHeadersEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task FromTrustedProxy_ChainIsAppended_ProtoAndHostKept()
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:TrustedProxies:0"] = "127.0.0.1" });

        var seen = await SendThroughBalancerAsync(proxy);

        Assert.Equal("203.0.113.9, 10.0.0.2, 127.0.0.1", seen.Headers["X-Forwarded-For"]);
        Assert.Equal("https", seen.Headers["X-Forwarded-Proto"]);
        Assert.Equal("shop.example.org", seen.Headers["X-Forwarded-Host"]);
    }

    [Fact]
    public async Task FromUntrustedPeer_SpoofedHeadersAreReplaced()
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:TrustedProxies:0"] = "10.0.0.0/8" });

        var seen = await SendThroughBalancerAsync(proxy);

        Assert.Equal("127.0.0.1", seen.Headers["X-Forwarded-For"]);
        Assert.Equal("http", seen.Headers["X-Forwarded-Proto"]);
        Assert.Equal($"127.0.0.1:{proxy.PublicPort}", seen.Headers["X-Forwarded-Host"]);
    }

    private async Task<RecordedRequest> SendThroughBalancerAsync(ProxyProcess proxy)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, proxy.PublicUrl + "/orders");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.9, 10.0.0.2");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "shop.example.org");
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return Assert.Single(Backend.Requests);
    }
}
