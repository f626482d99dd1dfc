using System.Net;
using System.Text.Json.Nodes;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// A saved edit of a route or cluster value that YARP cannot convert: one line names the key and the
/// value, the routes in use stay, and the next good edit is applied.
/// </summary>
public sealed class UnconvertibleValueReloadEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task UnconvertibleValueSaved_WhileRunning_IsNamedInOneLine_AndAGoodEditAfterIsApplied()
    {
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settings = ProxyBuildCopy.SettingsOf(proxyDll);
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url, proxyDll: proxyDll);
        using var client = new HttpClient();

        await SaveAsync(settings, s => s["ReverseProxy"]!["Clusters"]!["app"]!["HttpClient"] = new JsonObject { ["MaxConnectionsPerServer"] = "ten" });
        Assert.True(await proxy.WaitForOutputAsync(
            "ERR] ReverseProxy:Clusters:app:HttpClient:MaxConnectionsPerServer must be a whole number; it is 'ten'. The edit is not applied", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Equal("backend ok /", await client.GetStringAsync(proxy.PublicUrl + "/"));

        await SaveAsync(settings, s =>
        {
            s["ReverseProxy"]!["Clusters"]!["app"]!.AsObject().Remove("HttpClient");
            s["ReverseProxy"]!["Routes"]!["app"]!["Order"] = "x";
        });
        Assert.True(await proxy.WaitForOutputAsync(
            "ERR] ReverseProxy:Routes:app:Order must be a whole number; it is 'x'. The edit is not applied", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Equal("backend ok /", await client.GetStringAsync(proxy.PublicUrl + "/"));

        // Fixed, the file is applied again: here a route that no longer matches /.
        await SaveAsync(settings, s =>
        {
            s["ReverseProxy"]!["Routes"]!["app"]!.AsObject().Remove("Order");
            s["ReverseProxy"]!["Routes"]!["app"]!["Match"]!["Path"] = "/only/{**catch-all}";
        });
        Assert.True(await AnswersNotFoundAtTheRootAsync(client, proxy), proxy.Output);

        Assert.DoesNotContain("Configuration data conversion failed", proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", proxy.Output, StringComparison.Ordinal);
        Assert.Equal(1, proxy.Output.Split('\n').Count(line => line.Contains("MaxConnectionsPerServer must be", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RouteMatchingTheSameRequestsAsAnother_Saved_IsNamedInOneLine_AndAGoodEditAfterIsApplied()
    {
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settings = ProxyBuildCopy.SettingsOf(proxyDll);
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url, proxyDll: proxyDll);
        using var client = new HttpClient();

        await SaveAsync(settings, s => s["ReverseProxy"]!["Routes"]!["shop"] = new JsonObject
        {
            ["ClusterId"] = "app",
            ["Match"] = new JsonObject { ["Path"] = "/{**rest}" },
        });
        Assert.True(await proxy.WaitForOutputAsync(
            "ERR] Routes 'app' and 'shop' match the same requests (the same Order and Path", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Equal("backend ok /", await client.GetStringAsync(proxy.PublicUrl + "/"));

        await SaveAsync(settings, s =>
        {
            s["ReverseProxy"]!["Routes"]!.AsObject().Remove("shop");
            s["ReverseProxy"]!["Routes"]!["app"]!["Match"]!["Path"] = "/only/{**catch-all}";
        });
        Assert.True(await AnswersNotFoundAtTheRootAsync(client, proxy), proxy.Output);

        Assert.DoesNotContain("   at ", proxy.Output, StringComparison.Ordinal);
        Assert.Equal(1, proxy.Output.Split('\n').Count(line => line.Contains("match the same requests", StringComparison.Ordinal)));
    }

    // The edit that moved the only route off / is applied.
    private static Task<bool> AnswersNotFoundAtTheRootAsync(HttpClient client, ProxyProcess proxy) =>
        Eventually.TrueAsync(async () =>
        {
            using var response = await client.GetAsync(proxy.PublicUrl + "/");
            return response.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(10));

    // Saved with a rename, as editors do.
    private static async Task SaveAsync(string settings, Action<JsonNode> edit)
    {
        var json = JsonNode.Parse(await File.ReadAllTextAsync(settings))!;
        edit(json);
        await File.WriteAllTextAsync(settings + ".new", json.ToJsonString());
        File.Move(settings + ".new", settings, overwrite: true);
    }
}
