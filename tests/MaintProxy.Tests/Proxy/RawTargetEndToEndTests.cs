using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>The backend receives the request target as the client wrote it, as behind nginx's <c>proxy_pass</c> without a URI part.</summary>
public sealed class RawTargetEndToEndTests : EndToEndTest
{
    private static readonly string[] Targets =
    [
        "/a%2Fb", "/a%2fb", "/gr%2Fproj?x=%2F", "/@types%2fcors", "/api/v4/projects/group%2Fproject/issues",
        "/a%41b%7E", "/a%c3%a9b", "/a%C3%A9b", "/a%252Fb", "/a%25b", "/a+b?q=a+b", "/a%zzb?q=%zz", "/a%3Bb%20c", "/a\\b", "/a%5Cb",
    ];

    [Fact]
    public async Task Http11_TargetReachesTheBackendAsSent()
    {
        await using var proxy = await StartProxyAsync();

        foreach (var target in Targets)
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.Equal(200, response.StatusCode);
        }

        Assert.Equal(Targets, Backend.Requests.Select(r => r.RawTarget));
    }

    [Fact]
    public async Task Http2_TargetReachesTheBackendAsSent()
    {
        await using var proxy = await StartProxyAsync(new() { ["Kestrel:Endpoints:Public:Protocols"] = "Http2" });
        using var client = new HttpClient();
        var asWritten = new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true };

        foreach (var target in Targets)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(proxy.PublicUrl + target, in asWritten))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(Targets, Backend.Requests.Select(r => r.RawTarget));
    }

    [Fact]
    public async Task TargetThatIsNotThePathTheProxyDecidedOn_IsSentAsDecided()
    {
        await using var proxy = await StartProxyAsync();

        // Dot segments Kestrel applied, and an overlong UTF-8 '/' that Kestrel leaves encoded: never sent as written.
        foreach (var target in new[] { "/a/%2e%2e/c", "/a/./b/../d", "/a%c0%afb" })
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.Equal(200, response.StatusCode);
        }

        Assert.Equal(["/c", "/a/d", "/a%25c0%25afb"], Backend.Requests.Select(r => r.RawTarget));
    }

    [Fact]
    public async Task RouteWithAPathTransform_GetsThePathAsTransformed()
    {
        await using var proxy = await StartProxyAsync(new() { ["ReverseProxy:Routes:app:Transforms:0:PathPrefix"] = "/p" });

        var response = await RawHttp.SendAsync(proxy.PublicPort, "GET /a%41b?x=%2F HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(["/p/aAb?x=%2F"], Backend.Requests.Select(r => r.RawTarget));
    }
}
