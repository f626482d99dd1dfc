using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>
/// A request let through by its path while a window is on does not carry <c>X-Original-URL</c> or
/// <c>X-Rewrite-URL</c> to the backend, which would run the path they name instead.
/// </summary>
public sealed class RewrittenUrlHeadersEndToEndTests : EndToEndTest
{
    private const string Secret = "s3cret-bypass-0123456789";

    private static readonly string[] Spellings =
    [
        "X-Original-URL", "x-original-url", "X_Original_URL", "X-Original_URL", "X_Original-URL",
        "X-Rewrite-URL", "X_Rewrite_URL", "X-Rewrite_URL", "X_Rewrite-URL",
    ];

    private static readonly Dictionary<string, string> AllowedPathAndAdminCluster = new()
    {
        ["Maintenance:AllowedPathPrefixes:0"] = "/backend-health",
        ["ReverseProxy:Routes:admin:ClusterId"] = "admin",
        ["ReverseProxy:Routes:admin:Match:Path"] = "/admin/{**rest}",
    };

    private static Task<RawResponse> GetAsync(ProxyProcess proxy, string target, string header, string extra = "") =>
        RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}: /admin/delete\r\n{extra}\r\n");

    private static async Task Down(ProxyProcess proxy, params string[] args)
    {
        var result = await Scripts.DownAsync(proxy, args);
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
    }

    private async Task AssertForwardedWithoutTheHeaderInEverySpellingAsync(ProxyProcess proxy, string target)
    {
        foreach (var header in Spellings)
        {
            var response = await GetAsync(proxy, target, header);
            Assert.True(response.StatusCode == 200, $"{header}: {response.StatusCode}");
        }

        Assert.Equal(Spellings.Length, Backend.Requests.Count);
        Assert.All(Backend.Requests, r => Assert.DoesNotContain(r.Headers.Keys, k => k.Replace('_', '-').Contains("-URL", StringComparison.OrdinalIgnoreCase)));
    }

    private Task<ProxyProcess> StartWithAdminClusterAsync() =>
        StartProxyAsync(new(AllowedPathAndAdminCluster) { ["ReverseProxy:Clusters:admin:Destinations:admin:Address"] = Backend.Url });

    [Fact]
    public async Task AllowedPath_DuringAWindow_ReachesTheBackendWithoutTheHeader()
    {
        await using var proxy = await StartWithAdminClusterAsync();
        await Down(proxy);

        await AssertForwardedWithoutTheHeaderInEverySpellingAsync(proxy, "/backend-health");
    }

    [Fact]
    public async Task RouteToASiteTheWindowDoesNotCover_ReachesTheBackendWithoutTheHeader()
    {
        await using var proxy = await StartWithAdminClusterAsync();
        await Down(proxy, "--site", "admin");

        Assert.Equal(503, (await GetAsync(proxy, "/admin/delete", "X-Original-URL")).StatusCode);
        await AssertForwardedWithoutTheHeaderInEverySpellingAsync(proxy, "/public");
    }

    [Fact]
    public async Task WithoutAWindow_OrForABypass_TheHeaderIsForwarded()
    {
        await using var proxy = await StartWithAdminClusterAsync();

        Assert.Equal(200, (await GetAsync(proxy, "/public", "X-Original-URL")).StatusCode);
        await Down(proxy, "--secret=" + Secret);
        Assert.Equal(200, (await GetAsync(proxy, "/public", "X-Rewrite-URL", $"X-Maintenance-Bypass: {Secret}\r\n")).StatusCode);

        Assert.Equal(["/admin/delete", "/admin/delete"], Backend.Requests.Select(r => r.Header("X-Original-URL") ?? r.Header("X-Rewrite-URL")));
    }
}
