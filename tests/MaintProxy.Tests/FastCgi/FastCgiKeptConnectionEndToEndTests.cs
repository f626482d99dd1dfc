using System.Diagnostics;
using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>Kept-alive connections to a real php-fpm that closes them, or whose workers die or run on, under the proxy.</summary>
public sealed class FastCgiKeptConnectionEndToEndTests : FastCgiEndToEndTest
{
    [Theory]
    [InlineData("POST", 1)]
    [InlineData("PATCH", 1)]
    [InlineData("PUT", 2)]
    public async Task WorkerKilledMidScript_OnAKeptConnection_OnlyAnIdempotentRequestRunsAgain(string method, int runs)
    {
        // php-fpm kills a worker whose script runs past request_terminate_timeout: the connection
        // closes with no answer, although the script ran.
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 2, poolSettings: "request_terminate_timeout = 1s");
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 2, TimeSpan.FromSeconds(20));
        using (var warm = await Client.GetAsync(proxy.PublicUrl + "/hello.php"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var runsFile = Dir.File("runs.txt");
        using var request = new HttpRequestMessage(new HttpMethod(method), $"{proxy.PublicUrl}/append.php?s=5&file={Uri.EscapeDataString(runsFile)}")
        {
            Content = new StringContent("order=1"),
        };
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(runs, File.ReadAllLines(runsFile).Length);
        var logged = runs == 1 ? $"no answer to the {method} request it was reused for; not sent again" : $"no answer to the {method} request it was reused for; sending it again";
        Assert.True(await proxy.WaitForOutputAsync(logged, TimeSpan.FromSeconds(5)), proxy.Output);
    }

    [Fact]
    public async Task KeptConnectionClosedAfterMaxRequests_APostStillSucceeds()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1, maxRequests: 2);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(10));
        var port = ((IPEndPoint)fpm.EndPoint).Port;
        var workers = new HashSet<string>();

        for (var i = 0; i < 6; i++)
        {
            using var content = new FormUrlEncodedContent([new("order", i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            using var response = await Client.PostAsync(proxy.PublicUrl + "/hello.php", content);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            workers.Add(await response.Content.ReadAsStringAsync());
            if (i % 2 == 1)
            {
                // The worker has served its pm.max_requests: it closes the connection the proxy keeps.
                Assert.True(await Eventually.TrueAsync(() => LoopbackConnections.ClientPortsTo(port, establishedOnly: true).Count == 0, TimeSpan.FromSeconds(5)),
                    "php-fpm did not close the kept connection");
            }
        }

        Assert.Equal(3, workers.Count);
    }

    [Fact]
    public async Task ScriptRunningOnAfterFastCgiFinishRequest_TheNextRequestGoesToAnIdleWorker()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 2);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 2, TimeSpan.FromSeconds(10));
        var port = ((IPEndPoint)fpm.EndPoint).Port;
        var warm = await Task.WhenAll(Client.GetAsync(proxy.PublicUrl + "/sleep.php?s=1"), Client.GetAsync(proxy.PublicUrl + "/sleep.php?s=1"));
        foreach (var response in warm)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        Assert.Equal(2, LoopbackConnections.ClientPortsTo(port, establishedOnly: true).Count);

        // php-fpm sends END_REQUEST at fastcgi_finish_request(); the worker stays with the script, and
        // with the connection the proxy got back.
        using (var finished = await Client.GetAsync(proxy.PublicUrl + "/finish.php?s=3"))
        {
            Assert.Equal("finished", await finished.Content.ReadAsStringAsync());
        }

        var started = Stopwatch.GetTimestamp();
        using var next = await Client.GetAsync(proxy.PublicUrl + "/hello.php");
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"the next request took {elapsed.TotalMilliseconds:0} ms");
    }
}
