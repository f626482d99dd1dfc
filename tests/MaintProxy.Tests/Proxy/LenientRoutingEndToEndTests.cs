using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// Routes split by path over two clusters on one backend: a window for the cluster of <c>/admin</c> is not
/// escaped by a spelling of <c>/admin</c> that the catch-all route matched and the backend read as <c>/admin</c>.
/// </summary>
public sealed class LenientRoutingEndToEndTests : EndToEndTest
{
    private Task<ProxyProcess> StartWithAnAdminClusterAsync() => ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
    {
        ["ReverseProxy:Routes:admin:ClusterId"] = "admin",
        ["ReverseProxy:Routes:admin:Match:Path"] = "/admin/{**rest}",
        ["ReverseProxy:Clusters:admin:Destinations:d:Address"] = Backend.Url,
    });

    [Fact]
    public async Task WindowForTheClusterOfAPath_CoversEverySpellingABackendReadsAsThatPath()
    {
        await using var proxy = await StartWithAnAdminClusterAsync();
        var down = await Scripts.DownAsync(proxy, "--site", "admin");
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);

        // Each took the catch-all route to cluster 'app', and Tomcat, nginx or Python's http.server served /admin/….
        foreach (var target in new[] { "//admin/x", "///admin/x", "/admin;x/y", "/admin;/x", "/x/..;/admin/y", "/x/..%5Cadmin/y", "/x\\..\\admin/y", "/x/..%2Fadmin/y", "/x/%2e%2e%2fadmin/y", "/%2Fadmin/x", "/x%2F..%2Fadmin/y", "/admin%2Fx", "/admin%2fx;v=1" })
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.Equal(503, response.StatusCode);
            Assert.Equal("1", response.Header("X-Maintenance-Mode"));
        }

        var other = await RawHttp.SendAsync(proxy.PublicPort, "GET /cart;jsessionid=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.Equal(200, other.StatusCode);
        Assert.Equal(["/cart;jsessionid=1"], Backend.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task WindowForTheClusterOfAPath_CoversASpellingThatLeavesThePathOnlyForLenientBackends()
    {
        await using var proxy = await StartWithAnAdminClusterAsync();
        var down = await Scripts.DownAsync(proxy, "--site", "admin");
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);

        // Read leniently each is /y (cluster 'app'); a backend that keeps ';' and '%2F' in a segment (ASP.NET, Go) reads /admin/….
        foreach (var target in new[] { "/admin/x;/..;/..;/y", "/admin/x%2F..%2F..%2Fy", "/admin/x\\..\\..\\y", "/admin//..//..//y" })
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.True(response.StatusCode == 503, $"{target}: {response.StatusCode}");
            Assert.Equal("1", response.Header("X-Maintenance-Mode"));
        }

        Assert.Empty(Backend.Requests);
    }

    [Fact]
    public async Task AnswerOfTheOtherReadingsWindow_IsLoggedNamingThatWindowsCluster()
    {
        await using var proxy = await StartWithAnAdminClusterAsync();
        var down = await Scripts.DownAsync(proxy, "--site", "admin");
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);

        // Routed to 'app' by its lenient reading /y; the window of 'admin', where ASP.NET or Go serve it, answers.
        Assert.Equal(503, (await RawHttp.SendAsync(proxy.PublicPort, "GET /admin/x;/..;/..;/y HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).StatusCode);
        Assert.Equal(503, (await RawHttp.SendAsync(proxy.PublicPort, "GET /admin/z HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).StatusCode);

        Assert.True(await proxy.WaitForOutputAsync("GET /admin/z → 503", ProxyProcess.MinimumOutputWait), proxy.Output);
        Assert.True(await proxy.WaitForOutputAsync("GET /admin/x;/..;/..;/y → 503 maintenance in ", ProxyProcess.MinimumOutputWait), proxy.Output);
        var otherReading = proxy.Output.Split('\n').Single(line => line.Contains("GET /admin/x;/..;/..;/y → 503", StringComparison.Ordinal));
        Assert.EndsWith("cluster app; window of cluster admin, where other backends read the path)", otherReading.TrimEnd(), StringComparison.Ordinal);
        var routed = proxy.Output.Split('\n').Single(line => line.Contains("GET /admin/z → 503", StringComparison.Ordinal));
        Assert.EndsWith("cluster admin)", routed.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PathRoutedByItsLenientReading_IsForwardedAndLoggedAsSent()
    {
        await using var proxy = await StartWithAnAdminClusterAsync();

        var response = await RawHttp.SendAsync(proxy.PublicPort, "GET //admin/x;v=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(["//admin/x;v=1"], Backend.Requests.Select(r => r.Path));
        Assert.True(await proxy.WaitForOutputAsync("GET //admin/x;v=1 → 200 forwarded", TimeSpan.FromSeconds(10)), proxy.Output);
    }

    [Fact]
    public async Task RouteWithAPathPattern_ForwardsTheCatchAllAsSent()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Routes:files:ClusterId"] = "files",
            ["ReverseProxy:Routes:files:Match:Path"] = "/files/{**rest}",
            ["ReverseProxy:Routes:files:Transforms:0:PathPattern"] = "/store/{**rest}",
            ["ReverseProxy:Clusters:files:Destinations:d:Address"] = Backend.Url,
        });

        foreach (var target in new[] { "/files/a;v=1/b", "/files/a//b" })
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.Equal(200, response.StatusCode);
        }

        Assert.Equal(["/store/a;v=1/b", "/store/a//b"], Backend.Requests.Select(r => r.Path));
    }
    [Fact]
    public async Task EncodedPercentSign_IsNotReadAsAnEncodedSlash()
    {
        await using var adminBackend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Routes:admin:ClusterId"] = "admin",
            ["ReverseProxy:Routes:admin:Match:Path"] = "/admin/{**rest}",
            ["ReverseProxy:Clusters:admin:Destinations:d:Address"] = adminBackend.Url,
        });
        var down = await Scripts.DownAsync(proxy, "--site", "admin");
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);

        // A backend decodes each once: %252F is a literal "%2F" in a file name under /files, not a slash.
        var targets = new[] { "/files/a%252F..%252F..%252Fadmin%252Fx", "/x%252F..%252Fadmin", "/x/..%255Cadmin/y", "http://127.0.0.1/x%252F..%252Fadmin" };
        foreach (var target in targets)
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.True(response.StatusCode == 200, $"{target}: {response.StatusCode}");
        }

        Assert.Equal(["/files/a%252F..%252F..%252Fadmin%252Fx", "/x%252F..%252Fadmin", "/x/..%255Cadmin/y", "/x%252F..%252Fadmin"], Backend.Requests.Select(r => r.RawTarget));
        Assert.Empty(adminBackend.Requests);

        // Kept as written, a real encoded slash next to an encoded percent sign still reads as a slash.
        var mixed = await RawHttp.SendAsync(proxy.PublicPort, "GET /x%2F..%2Fadmin/%2525 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.Equal(503, mixed.StatusCode);
        Assert.Equal("1", mixed.Header("X-Maintenance-Mode"));
    }
    [Fact]
    public async Task PathEndsAtAFragmentMarkAsWritten_NotAtAnEncodedOne()
    {
        await using var proxy = await StartWithAnAdminClusterAsync();
        var down = await Scripts.DownAsync(proxy, "--site", "admin");
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);

        // nginx, Python's http.server and Node's URL parsing read each as /admin.
        foreach (var target in new[] { "/admin#x", "/admin#/x", "/admin;v=1#/x" })
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.True(response.StatusCode == 503, $"{target}: {response.StatusCode}");
            Assert.Equal("1", response.Header("X-Maintenance-Mode"));
        }

        // %23 is a '#' in a segment, which the backend gets encoded as it was sent.
        var encoded = await RawHttp.SendAsync(proxy.PublicPort, "GET /admin%23x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.Equal(200, encoded.StatusCode);
        Assert.Equal(["/admin%23x"], Backend.Requests.Select(r => r.RawTarget));
    }
}
