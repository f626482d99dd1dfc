using System.Diagnostics;
using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>A real outage must never look like planned maintenance.</summary>
public sealed class BackendFailureEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task BackendDown_NotInMaintenance_Gets502WithoutMaintenanceHeaderPromptly()
    {
        var deadBackend = $"http://127.0.0.1:{FreePort.Next()}/";
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, deadBackend);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(proxy.PublicUrl + "/orders");
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Maintenance-Mode"));
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"took {elapsed}");
        Assert.True(await proxy.WaitForOutputAsync("proxy-error", TimeSpan.FromSeconds(5)), proxy.Output);
    }

    [Fact]
    public async Task BackendDown_RequestAWindowLetsThrough_IsLoggedAsAProxyErrorNotAsTheWindowsOutcome()
    {
        var deadBackend = $"http://127.0.0.1:{FreePort.Next()}/";
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, deadBackend,
            new Dictionary<string, string> { ["Maintenance:AllowedPathPrefixes:0"] = "/backend-health" });
        var down = await Scripts.DownAsync(proxy);
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var response = await client.GetAsync(proxy.PublicUrl + "/backend-health/db");

        // An outage during a window is still an outage: the log must not file it under the window.
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Maintenance-Mode"));
        Assert.True(await proxy.WaitForOutputAsync("GET /backend-health/db → 502 proxy-error", TimeSpan.FromSeconds(5)), proxy.Output);
    }
}
