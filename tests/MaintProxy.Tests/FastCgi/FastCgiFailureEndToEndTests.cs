using System.Diagnostics;
using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>How the real proxy answers when the FastCGI side fails: 502 or 504, never the maintenance page.</summary>
public sealed class FastCgiFailureEndToEndTests : FastCgiEndToEndTest
{
    [Fact]
    public async Task PhpFpmStopped_NotInMaintenance_Gets502WithoutMaintenanceHeaderPromptly()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 2);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 2, TimeSpan.FromSeconds(10));
        using (var warm = await Client.GetAsync(proxy.PublicUrl + "/hello.php"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        await fpm.StopAsync();
        var started = Stopwatch.GetTimestamp();
        using var response = await Client.GetAsync(proxy.PublicUrl + "/hello.php");
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Maintenance-Mode"));
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"took {elapsed}");
    }

    [Fact]
    public async Task SleepingScript_Gets504AtTheActivityTimeout_AndThePoolRecovers()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 2);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 2, TimeSpan.FromSeconds(1.5));

        var started = Stopwatch.GetTimestamp();
        using var response = await Client.GetAsync(proxy.PublicUrl + "/sleep.php?s=6");
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Maintenance-Mode"));
        Assert.InRange(elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(4));
        using var next = await Client.GetAsync(proxy.PublicUrl + "/hello.php");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task EveryWorkerBusy_QueuedRequestGets504_AndTheLogSaysItWaitedInLineAndNeverReachedTheServer()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(1.5));
        var ran = Dir.File("ran");
        var release = Dir.File("release");
        // A download that stays active holds the only worker longer than the activity timeout.
        var holding = Client.GetAsync($"{proxy.PublicUrl}/trickle.php?file={ran}&release={release}");
        Assert.True(await Eventually.TrueAsync(() => File.Exists(ran), TimeSpan.FromSeconds(10)), "the worker never started the script");

        using var queued = await Client.GetAsync(proxy.PublicUrl + "/hello.php");

        Assert.Equal(HttpStatusCode.GatewayTimeout, queued.StatusCode);
        Assert.True(await proxy.WaitForOutputAsync(
            $"in line for a connection to {fpm.Address}: all 1 were busy, so the server never saw it", TimeSpan.FromSeconds(5)), proxy.Output);
        await File.WriteAllTextAsync(release, "");
        using var held = await holding;
        Assert.EndsWith("released", await held.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrokenResponses_Get502_AndTheNextRequestIsFine()
    {
        await using var server = new ScriptedFastCgiServer(requested => requested switch
        {
            "/garbled" => [.. ScriptedFastCgiServer.Stdout("this is not a header\r\n\r\nbody"), .. ScriptedFastCgiServer.EndRequest(0)],
            "/truncated" => ScriptedFastCgiServer.Stdout("Content-Type: text/plain\r\nX-Half"),
            "/not-fastcgi" => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray(),
            "/overloaded" => ScriptedFastCgiServer.EndRequest(2),
            "/no-headers" => ScriptedFastCgiServer.EndRequest(0),
            _ => [.. ScriptedFastCgiServer.Stdout("Content-Type: text/plain\r\n\r\nfine"), .. ScriptedFastCgiServer.EndRequest(0)],
        });
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, server.Address, new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:Metadata:Transport"] = "FastCGI",
            ["ReverseProxy:Clusters:app:Metadata:FastCGI.DocumentRoot"] = "/srv/www",
            // Every path reaches the server, which answers by REQUEST_URI.
            ["ReverseProxy:Clusters:app:Metadata:FastCGI.FrontController"] = "/index.php",
            ["ReverseProxy:Clusters:app:HttpClient:MaxConnectionsPerServer"] = "1",
        });

        foreach (var path in new[] { "/garbled", "/truncated", "/not-fastcgi", "/overloaded", "/no-headers" })
        {
            using var broken = await Client.GetAsync(proxy.PublicUrl + path);
            using var fine = await Client.GetAsync(proxy.PublicUrl + "/fine");

            Assert.True(broken.StatusCode == HttpStatusCode.BadGateway, $"{path} got {(int)broken.StatusCode}");
            Assert.False(broken.Headers.Contains("X-Maintenance-Mode"));
            Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
            Assert.Equal("fine", await fine.Content.ReadAsStringAsync());
        }
    }
}
