using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>The maintenance switch in front of a FastCGI cluster, with the real scripts.</summary>
public sealed class FastCgiMaintenanceEndToEndTests : IDisposable
{
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
}
