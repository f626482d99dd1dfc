using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// APIs that put an encoded slash inside one path segment (GitLab's <c>/projects/group%2Fproject</c>,
/// npm's <c>/@types%2fcors</c>): the route written for that segment takes the request, and a window for
/// the cluster of either reading still covers it.
/// </summary>
public sealed class EncodedSlashRoutingEndToEndTests : EndToEndTest
{
    private Task<ProxyProcess> StartWithAnApiClusterAsync(TestBackend apiBackend, string pattern) => ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
    {
        ["ReverseProxy:Routes:api:ClusterId"] = "api",
        ["ReverseProxy:Routes:api:Match:Path"] = pattern,
        ["ReverseProxy:Clusters:api:Destinations:d:Address"] = apiBackend.Url,
    });

    [Theory]
    [InlineData("/api/v4/projects/{id}", "/api/v4/projects/group%2Fproject")]
    [InlineData("/api/v4/projects/{id}/{**rest}", "/api/v4/projects/group%2Fsub%2Fproject/issues/1")]
    [InlineData("/{package}", "/@types%2fcors")]
    [InlineData("/{package}/{version}", "/@types%2Fcors/2.8.17")]
    public async Task RouteForASegmentWithAnEncodedSlash_TakesTheRequest(string pattern, string target)
    {
        await using var apiBackend = await TestBackend.StartAsync();
        await using var proxy = await StartWithAnApiClusterAsync(apiBackend, pattern);

        var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal([target], apiBackend.Requests.Select(r => r.RawTarget));
        Assert.Empty(Backend.Requests);
        Assert.True(await proxy.WaitForOutputAsync($"GET {target} → 200 forwarded", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Contains("(route api, cluster api)", proxy.Output);
    }

    [Theory]
    [InlineData("/gl/projects/{id}", "PathPattern", "/api/v4/projects/{id}", "/gl/projects/group%2Fproject?x=50%25", "/api/v4/projects/group%2Fproject?x=50%25")]
    [InlineData("/gl/api/v4/projects/{id}/{**rest}", "PathRemovePrefix", "/gl", "/gl/api/v4/projects/group%2fsub%2Fproject/issues", "/api/v4/projects/group%2fsub%2Fproject/issues")]
    [InlineData("/gl/{**rest}", "PathRemovePrefix", "/gl", "/gl/projects/g%252Fp", "/projects/g%252Fp")]
    public async Task RouteWithAPathTransform_SendsTheEncodedSlashAsWritten(string pattern, string transform, string value, string target, string sent)
    {
        await using var apiBackend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Routes:api:ClusterId"] = "api",
            ["ReverseProxy:Routes:api:Match:Path"] = pattern,
            [$"ReverseProxy:Routes:api:Transforms:0:{transform}"] = value,
            ["ReverseProxy:Clusters:api:Destinations:d:Address"] = apiBackend.Url,
        });

        var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal([sent], apiBackend.Requests.Select(r => r.RawTarget));
    }

    [Fact]
    public async Task RouteWithAPathTransform_KeepsADotSegmentBehindAnEncodedSlashEncoded()
    {
        await using var apiBackend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Routes:api:ClusterId"] = "api",
            ["ReverseProxy:Routes:api:Match:Path"] = "/files/{**rest}",
            ["ReverseProxy:Routes:api:Transforms:0:PathPattern"] = "/store/{**rest}",
            ["ReverseProxy:Clusters:api:Destinations:d:Address"] = apiBackend.Url,
        });

        // Sent as %2F, a backend that decodes it would resolve the dot segment in a path the transform wrote.
        var response = await RawHttp.SendAsync(proxy.PublicPort, "GET /files/a/b%2F..%2Fc HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(["/store/a/b%252F..%252Fc"], apiBackend.Requests.Select(r => r.RawTarget));
    }

    [Theory]
    [InlineData("api")]
    [InlineData("app")]
    public async Task WindowForTheClusterOfEitherReading_CoversAnEncodedSlash(string site)
    {
        await using var apiBackend = await TestBackend.StartAsync();
        await using var proxy = await StartWithAnApiClusterAsync(apiBackend, "/api/v4/projects/{id}");
        var down = await Scripts.DownAsync(proxy, "--site", site);
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);

        var response = await RawHttp.SendAsync(proxy.PublicPort, "GET /api/v4/projects/group%2Fproject HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        Assert.Equal(503, response.StatusCode);
        Assert.Equal("1", response.Header("X-Maintenance-Mode"));
        Assert.Empty(apiBackend.Requests);
        Assert.Empty(Backend.Requests);
    }

    [Fact]
    public async Task MoreSpecificRouteOfTheDecodedReading_KeepsTheRequest()
    {
        await using var adminBackend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Routes:admin:ClusterId"] = "admin",
            ["ReverseProxy:Routes:admin:Match:Path"] = "/admin/{**rest}",
            ["ReverseProxy:Routes:page:ClusterId"] = "app",
            ["ReverseProxy:Routes:page:Match:Path"] = "/{page}",
            ["ReverseProxy:Clusters:admin:Destinations:d:Address"] = adminBackend.Url,
        });

        // Read as sent each is one segment ('/{page}' or the catch-all); a backend that decodes %2F serves /admin/….
        foreach (var target in new[] { "/admin%2Fusers", "/a%2F..%2Fadmin%2Fusers", "/x/..%2Fadmin/users" })
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.True(response.StatusCode == 200, $"{target}: {response.StatusCode}");
        }

        Assert.Equal(3, adminBackend.Requests.Count);
        Assert.Empty(Backend.Requests);
    }
}
