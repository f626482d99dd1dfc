using System.Net;
using MaintProxy.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// What the backend is told about the client: from a proxy listed in <c>Maintenance:TrustedProxies</c>
/// (a load balancer ending TLS), its <c>X-Forwarded-For</c> chain with that proxy appended, and its
/// scheme and host; from anyone else, the socket's peer, the scheme and the Host, whatever they sent.
/// An IPv4 peer on a dual-stack listener is named as IPv4.
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

    [Fact]
    public async Task IPv4PeerOnDualStackSocket_IsNamedAsIPv4()
    {
        // A listener on [::] sees IPv4 clients as ::ffff:a.b.c.d; tests may only bind loopback, so the
        // peer is set on the in-process server's connection.
        await using var proxy = new InProcessProxy(Backend.Url, new Dictionary<string, string> { ["Maintenance:TrustedProxies:0"] = "10.0.0.0/8" });

        await SendFromAsync(proxy, "::ffff:203.0.113.9", forwardedFor: "198.51.100.1");
        await SendFromAsync(proxy, "::ffff:10.0.0.5", forwardedFor: "198.51.100.1");

        // Only the trusted balancer's scheme and host are kept: the untrusted client's claims are replaced.
        var seen = Backend.Requests.Select(r => (r.Headers["X-Forwarded-For"], r.Headers["X-Forwarded-Proto"], r.Headers["X-Forwarded-Host"])).ToList();
        Assert.Equal([("203.0.113.9", "http", "shop.example"), ("198.51.100.1, 10.0.0.5", "https", "balancer.example")], seen);
    }

    private static async Task SendFromAsync(InProcessProxy proxy, string peer, string forwardedFor)
    {
        var context = await proxy.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = "/orders";
            c.Request.Host = new HostString("shop.example");
            c.Request.Headers["X-Forwarded-For"] = forwardedFor;
            c.Request.Headers["X-Forwarded-Proto"] = "https";
            c.Request.Headers["X-Forwarded-Host"] = "balancer.example";
            c.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        });
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
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
