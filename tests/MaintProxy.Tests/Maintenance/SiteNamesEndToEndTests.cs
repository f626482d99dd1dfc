using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>
/// A site window for a host name, whatever form the name takes in the request or in the sentinel:
/// international (xn--), in any letter case, with a trailing dot, with a port. Real scripts, real proxy.
/// </summary>
public sealed class SiteNamesEndToEndTests : EndToEndTest
{
    private const string Bucher = "xn--bcher-kva.example"; // bücher.example

    private static HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<HttpStatusCode> GetAsync(HttpClient client, ProxyProcess proxy, string host, string path = "/x")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, proxy.PublicUrl + path);
        request.Headers.Host = host;
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task Down(ProxyProcess proxy, params string[] args)
    {
        var result = await Scripts.DownAsync(proxy, args);
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
    }

    private static async Task<JsonElement> WriteSentinelAsync(ProxyProcess proxy, string content)
    {
        await File.WriteAllTextAsync(proxy.SentinelPath, content);
        using var admin = new HttpClient();
        using var refresh = await admin.PostAsync(proxy.AdminUrl + "/refresh", null);
        return JsonDocument.Parse(await refresh.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task XnHost_IsCoveredByTheWindowOfItsXnName()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();

        await Down(proxy, "--site", Bucher);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(client, proxy, Bucher));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(client, proxy, $"{Bucher}:{proxy.PublicPort}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(client, proxy, "XN--BCHER-KVA.Example"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, proxy, "buecher.example"));
        Assert.Single(Backend.Requests);
    }

    [Fact]
    public async Task UnicodeSite_IsRefusedByTheScript_WhichAsksForTheXnForm()
    {
        await using var proxy = await StartProxyAsync();

        var down = await Scripts.DownAsync(proxy, "--site", "bücher.example");

        Assert.Equal(2, down.ExitCode);
        Assert.Contains("not ASCII", down.Stderr, StringComparison.Ordinal);
        Assert.Contains("xn--", down.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(proxy.SentinelPath));
    }

    [Fact]
    public async Task UnicodeSiteInAHandWrittenSentinel_CoversTheXnHost()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();

        var status = await WriteSentinelAsync(proxy, "{\"site\":\"Bücher.Example\",\"reason\":\"by hand\"}\n");

        Assert.Equal(JsonValueKind.Null, status.GetProperty("sentinelError").ValueKind);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(client, proxy, Bucher));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(client, proxy, "XN--BCHER-KVA.EXAMPLE"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, proxy, "buecher.example"));
    }

    [Fact]
    public async Task FullyQualifiedHost_WithTrailingDot_IsCoveredByTheWindowOfItsName()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();
        using var viaProxy = new HttpClient(new HttpClientHandler { Proxy = new WebProxy(proxy.PublicUrl), UseProxy = true });

        await Down(proxy, "--site", "shop.example.org");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(client, proxy, "shop.example.org."));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(client, proxy, $"shop.example.org.:{proxy.PublicPort}"));
        // Absolute form (GET http://shop.example.org./x HTTP/1.1), as a client sends it to a proxy.
        using (var absolute = await viaProxy.GetAsync("http://shop.example.org./x"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, absolute.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, proxy, "example.org."));
        Assert.Single(Backend.Requests);

        // The scripts read a trailing dot the same way.
        Assert.Equal(0, (await Scripts.UpAsync(proxy, "--site", "shop.example.org.")).ExitCode);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, proxy, "shop.example.org"));
        Assert.False(File.Exists(proxy.SentinelPath));
    }

    [Theory]
    [InlineData("shop.example.org..")]
    [InlineData("shop.example.org...")]
    [InlineData("shop..example.org")]
    public async Task HostWithAnEmptyLabel_Gets400_OverHttp11_AndNeverReachesTheBackend(string host)
    {
        // It was forwarded while the window for shop.example.org was on, X-Forwarded-Host and all; nginx answers 400.
        await using var proxy = await StartProxyAsync();

        await Down(proxy, "--site", "shop.example.org");

        // HttpClient refuses such a host: written byte for byte.
        foreach (var authority in new[] { host, $"{host}:{proxy.PublicPort}", "other.example.." })
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET /x HTTP/1.1\r\nHost: {authority}\r\n\r\n");
            Assert.Equal(400, response.StatusCode);
        }

        var fine = await RawHttp.SendAsync(proxy.PublicPort, "GET /x HTTP/1.1\r\nHost: other.example.org\r\n\r\n");
        Assert.Equal(200, fine.StatusCode);
        Assert.Equal("other.example.org", Assert.Single(Backend.Requests).Header("X-Forwarded-Host"));
    }

    [Fact]
    public async Task AuthorityWithAnEmptyLabel_Gets400_OverHttp2()
    {
        await using var proxy = await StartProxyAsync(new Dictionary<string, string> { ["Kestrel:Endpoints:Public:Protocols"] = "Http2" });

        await Down(proxy, "--site", "shop.example.org");

        // curl sends a Host header as HTTP/2's :authority; HttpClient refuses such a host.
        Assert.Equal("400 2", await CurlHttp2Async(proxy, "shop.example.org.."));
        Assert.Equal("503 2", await CurlHttp2Async(proxy, "shop.example.org."));
        Assert.Equal("200 2", await CurlHttp2Async(proxy, "other.example.org"));
        Assert.Equal("other.example.org", Assert.Single(Backend.Requests).Header("X-Forwarded-Host"));
    }

    private static async Task<string> CurlHttp2Async(ProxyProcess proxy, string host)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-s", "-o", "/dev/null", "-w", "%{http_code} %{http_version}", "--max-time", "20", "--http2-prior-knowledge", "-H", $"Host: {host}", proxy.PublicUrl + "/x" })
        {
            start.ArgumentList.Add(argument);
        }

        using var curl = Process.Start(start)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        return output;
    }

    [Fact]
    public async Task SiteWithPort_IsRefusedByTheScript_AndFailsClosedInAHandWrittenSentinel()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();

        var down = await Scripts.DownAsync(proxy, "--site", "shop.example.org:8080");

        Assert.Equal(2, down.ExitCode);
        Assert.Contains("sites are named without port", down.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(proxy.SentinelPath));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, proxy, "shop.example.org"));

        // Written by hand, it is a line the proxy cannot apply as written: every site down with defaults.
        var status = await WriteSentinelAsync(proxy, "{\"site\":\"app\"}\n{\"site\":\"shop.example.org:8080\",\"reason\":\"by hand\"}\n");

        Assert.Equal("down", status.GetProperty("state").GetString());
        var error = status.GetProperty("sentinelError").GetString();
        Assert.Contains("line 2", error, StringComparison.Ordinal);
        Assert.Contains("without port", error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(client, proxy, "elsewhere.example"));
        Assert.Single(Backend.Requests);
    }

    [Fact]
    public async Task SiteKeyInAnotherLetterCase_InAHandWrittenSentinel_FailsClosedNamingIt()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();

        // The scripts find a window's site by its key "site": read as a site here, "Site" would be a
        // window that up.sh --site cannot end and that down.sh (for every site) would drop.
        var status = await WriteSentinelAsync(proxy, "{\"Site\":\"shop.example.org\",\"reason\":\"by hand\"}\n");

        Assert.Equal("down", status.GetProperty("state").GetString());
        Assert.Contains("'Site' is not 'site'", status.GetProperty("sentinelError").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(client, proxy, "elsewhere.example"));
        var up = await Scripts.UpAsync(proxy, "--site", "shop.example.org");
        Assert.Equal(1, up.ExitCode);
        Assert.Contains("'Site' is not 'site'", up.Stderr, StringComparison.Ordinal);
        Assert.Empty(Backend.Requests);
    }

    [Fact]
    public async Task SiteInAnotherLetterCase_IsTheSameWindow_ForDownAndUp()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();

        await Down(proxy, "--site", "SHOP.example.org");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(client, proxy, "shop.example.org"));

        var up = await Scripts.UpAsync(proxy, "--site", "shop.example.org");
        Assert.True(up.ExitCode == 0, up.Stderr);
        Assert.False(File.Exists(proxy.SentinelPath), "the window for SHOP.example.org is still there");
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, proxy, "Shop.Example.Org"));

        // Running down.sh again updates the window, whatever the case.
        await Down(proxy, "--site", "SHOP.example.org", "--reason", "first");
        await Down(proxy, "--site", "Shop.Example.Org.", "--reason", "second");
        Assert.Contains("second", Assert.Single(await File.ReadAllLinesAsync(proxy.SentinelPath)), StringComparison.Ordinal);
        Assert.Equal(0, (await Scripts.UpAsync(proxy, "--site", "shop.example.org")).ExitCode);

        // A line written by hand, spaced and cased as its writer liked.
        await WriteSentinelAsync(proxy, "{\"site\": \"Shop.Example.ORG.\", \"reason\": \"by hand\"}\n{\"site\":\"other.example\"}\n");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(client, proxy, "shop.example.org"));
        Assert.Equal(0, (await Scripts.UpAsync(proxy, "--site", "shop.example.org")).ExitCode);
        Assert.Equal(["{\"site\":\"other.example\"}"], await File.ReadAllLinesAsync(proxy.SentinelPath));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, proxy, "shop.example.org"));
    }

    [Fact]
    public async Task ClusterId_KeepsItsSpellingInTheSentinel_WhateverTheCaseOfLaterCommands()
    {
        await using var other = await TestBackend.StartAsync();
        await using var proxy = await StartProxyAsync(new()
        {
            ["ReverseProxy:Routes:beta:ClusterId"] = "Beta",
            ["ReverseProxy:Routes:beta:Order"] = "-1",
            ["ReverseProxy:Routes:beta:Match:Hosts:0"] = "b.test",
            ["ReverseProxy:Clusters:Beta:Destinations:one:Address"] = other.Url,
        });
        using var client = Client();

        await Down(proxy, "--site", "Beta");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(client, proxy, "b.test"));

        // The same window, updated: still for Beta, which the proxy matches exactly.
        await Down(proxy, "--site", "beta", "--reason", "longer");
        var line = Assert.Single(await File.ReadAllLinesAsync(proxy.SentinelPath));
        Assert.Contains("\"site\":\"Beta\"", line, StringComparison.Ordinal);
        Assert.Contains("longer", line, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(client, proxy, "b.test"));

        Assert.Equal(0, (await Scripts.UpAsync(proxy, "--site", "BETA")).ExitCode);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, proxy, "b.test"));
    }

    [Fact]
    public async Task DrainOfAnXnSite_WaitsForTheRequestsToIt()
    {
        await using var backend = await TestBackend.StartCountingFinishedAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, backend.Url);
        using var client = Client();

        var slow = Task.Run(() => GetAsync(client, proxy, Bucher, "/slow?ms=2000"));
        var slowFullyQualified = Task.Run(() => GetAsync(client, proxy, $"{Bucher}.:{proxy.PublicPort}", "/slow?ms=2500"));
        Assert.True(await Eventually.TrueAsync(() => backend.Requests.Count(r => r.Path == "/slow") == 2, TimeSpan.FromSeconds(10)));

        var down = await Scripts.DownAsync(proxy, "--site", Bucher, "--drain=20");

        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.True(backend.Finished == 2, $"down.sh --drain returned after {down.Elapsed} with a request to {Bucher} still in flight");
        Assert.Equal(HttpStatusCode.OK, await slow);
        Assert.Equal(HttpStatusCode.OK, await slowFullyQualified);
    }

    [Fact]
    public async Task Http10AbsoluteFormTargetWithoutHost_IsCoveredByTheWindowOfItsHost()
    {
        await using var proxy = await StartProxyAsync();
        await Down(proxy, "--site", "shop.example");

        var covered = await RawHttp.SendAsync(proxy.PublicPort, "GET http://shop.example/orders HTTP/1.0\r\n\r\n");
        var withUser = await RawHttp.SendAsync(proxy.PublicPort, "GET http://user:pw@SHOP.example.:80/orders HTTP/1.0\r\n\r\n");
        var other = await RawHttp.SendAsync(proxy.PublicPort, "GET http://other.example/orders HTTP/1.0\r\n\r\n");
        var noHost = await RawHttp.SendAsync(proxy.PublicPort, "GET /orders HTTP/1.0\r\n\r\n");

        Assert.Equal(503, covered.StatusCode);
        Assert.Equal("1", covered.Header("X-Maintenance-Mode"));
        Assert.Equal(503, withUser.StatusCode);
        Assert.Equal(200, other.StatusCode);
        Assert.Equal(200, noHost.StatusCode);
        Assert.Equal(2, Backend.Requests.Count);
    }
}
