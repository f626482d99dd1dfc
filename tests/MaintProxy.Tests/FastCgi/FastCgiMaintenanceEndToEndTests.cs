using System.IO.Pipelines;
using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>The maintenance switch in front of a FastCGI cluster, with the real scripts.</summary>
public sealed class FastCgiMaintenanceEndToEndTests : IDisposable
{
    private const int UploadBytes = 256 * 1024;

    // Larger than HttpClient's write buffer, so the headers and this much of the body leave at once.
    private const int SentBeforeDown = 64 * 1024;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task DownThenStopPhpFpm_UnderLoad_NoRequestFailsAfterDownReturned()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(_dir, workers: 2);
        await using var proxy = await FastCgiProxy.StartAsync(_dir, fpm, 2, TimeSpan.FromSeconds(10));
        var load = new LoadClients(proxy.PublicUrl + "/hello.php", clients: 4);
        await using (load)
        {
            await load.WaitForAsync(s => s.Status == 200, 50, "php-fpm answers through the proxy before down.sh");

            var down = await Scripts.DownAsync(proxy);
            Assert.True(down.ExitCode == 0, down.Stderr);
            await load.WaitForAsync(s => s.SentAt > down.ExitedAt, 50, "requests after down.sh returned");

            await fpm.StopAsync();
            var stoppedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            await load.WaitForAsync(s => s.SentAt > stoppedAt, 200, "requests after php-fpm stopped");
            await load.DisposeAsync();

            var afterDown = load.Samples.Where(s => s.SentAt > down.ExitedAt).ToList();
            Assert.True(afterDown.Count >= 250);
            Assert.All(afterDown, s => Assert.True(s.Status == 503 && s.MaintenanceHeader,
                $"request {s.Seq} sent after down.sh returned got {s.Status}"));
            Assert.True(load.Samples.Count(s => s.SentAt < down.ExitedAt && s.Status == 200) >= 50);
        }
    }

    [Fact]
    public async Task Down_RequestsStillUploadingOrQueuedForAWorker_GetTheMaintenanceAnswerAndNeverReachPhp()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(_dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(_dir, fpm, 1, TimeSpan.FromSeconds(30));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var ran = _dir.File("ran.txt");
        var release = _dir.File("release");

        // The only worker runs a script that waits for the test.
        var running = client.GetAsync($"{proxy.PublicUrl}/hold.php?file={ran}&release={release}");
        Assert.True(await Eventually.TrueAsync(() => File.Exists(ran), TimeSpan.FromSeconds(10)), "the worker never started the script");

        // One request waits in the proxy for that worker, another is still uploading its body.
        var queued = client.GetAsync($"{proxy.PublicUrl}/append.php?file={ran}");
        var pipe = new Pipe();
        using var content = new StreamContent(pipe.Reader.AsStream());
        content.Headers.ContentLength = UploadBytes;
        var uploading = client.PostAsync($"{proxy.PublicUrl}/append.php?file={ran}", content);
        await pipe.Writer.WriteAsync(new byte[SentBeforeDown]);
        Assert.True(await Eventually.TrueAsync(async () => await InFlightAsync(proxy) == 3, TimeSpan.FromSeconds(10)),
            "the three requests never were in flight together");

        var down = await Scripts.DownAsync(proxy);
        Assert.True(down.ExitCode == 0, down.Stderr);
        await pipe.Writer.WriteAsync(new byte[UploadBytes - SentBeforeDown]);
        await pipe.Writer.CompleteAsync();
        await File.WriteAllTextAsync(release, "");

        using var ranToTheEnd = await running;
        Assert.Equal(HttpStatusCode.OK, ranToTheEnd.StatusCode);
        foreach (var held in new[] { queued, uploading })
        {
            using var answer = await held;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Equal("1", Assert.Single(answer.Headers.GetValues("X-Maintenance-Mode")));
            Assert.True(answer.Headers.CacheControl?.NoStore, "a maintenance answer is not stored");
            Assert.NotNull(answer.Headers.RetryAfter);
            var body = await answer.Content.ReadAsByteArrayAsync();
            Assert.NotEqual(true, answer.Headers.TransferEncodingChunked);
            Assert.Equal(body.Length, answer.Content.Headers.ContentLength);
            Assert.Contains("planned maintenance", System.Text.Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        }

        Assert.Single(await File.ReadAllLinesAsync(ran));
        // Each request's log line is written once its answer is done, in either order.
        Assert.True(await proxy.WaitForOutputAsync("POST /append.php → 503 maintenance", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.True(await proxy.WaitForOutputAsync("GET /append.php → 503 maintenance", TimeSpan.FromSeconds(10)), proxy.Output);
        var answers = (await proxy.StatusAsync()).GetProperty("answers");
        Assert.Equal(2, answers.GetProperty("maintenance").GetInt64());
        Assert.Equal(1, answers.GetProperty("forwarded").GetInt64());
    }

    private static async Task<int> InFlightAsync(ProxyProcess proxy)
    {
        var status = await proxy.StatusAsync();
        return status.GetProperty("inFlight").TryGetProperty("app", out var count) ? count.GetInt32() : 0;
    }

}
