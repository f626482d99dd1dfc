using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Hosting;

/// <summary>
/// The proxy's standard output is a pipe nobody reads (a stalled journald or <c>docker logs</c>
/// driver): it keeps forwarding, answering its health path and switching, drops request lines once its
/// buffer is full, and says how many once the output is read again; a stop still finishes.
/// </summary>
public sealed partial class StalledConsoleOutputEndToEndTests : EndToEndTest
{
    // Request lines of about 4 KiB: a few hundred fill the pipe and the 1 MiB buffer behind it.
    private static readonly string LongPath = "/" + new string('p', 4000);
    private const int RequestsToFillTheLog = 600;
    private static readonly TimeSpan RequestLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task OutputNotRead_RequestsHealthAndSwitchKeepWorking_AndDropsAreReportedOnceRead()
    {
        await using var proxy = await StartHeldAsync();
        using var client = new HttpClient { Timeout = RequestLimit };

        await FillTheLogAsync(proxy, client);
        using (var health = await client.GetAsync(proxy.PublicUrl + "/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        var down = await Scripts.DownAsync(proxy, "--reason", "stalled-log");
        Assert.True(down.ExitCode == 0, down.Stderr);
        using (var planned = await client.GetAsync(proxy.PublicUrl + "/after-down"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, planned.StatusCode);
            Assert.True(planned.Headers.Contains("X-Maintenance-Mode"));
        }

        var up = await Scripts.UpAsync(proxy);
        Assert.True(up.ExitCode == 0, up.Stderr);
        using (var forwarded = await client.GetAsync(proxy.PublicUrl + "/after-up"))
        {
            Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        }

        Assert.DoesNotContain(Backend.Requests, r => r.Path == "/after-down");

        proxy.ReadStandardOutput();
        Assert.True(await proxy.WaitForOutputAsync("log line(s) dropped from", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.True(await proxy.WaitForOutputAsync("Maintenance is OFF (generation 3)", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Contains("Maintenance is ON (generation 2)", proxy.Output, StringComparison.Ordinal);
        Assert.Contains("reason: stalled-log", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutputNotRead_StopStillFinishes()
    {
        await using var proxy = await StartHeldAsync();
        using var client = new HttpClient { Timeout = RequestLimit };
        await FillTheLogAsync(proxy, client);

        proxy.Signal("TERM");

        Assert.True(await proxy.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the proxy should exit although nobody reads its output");
        Assert.Equal(0, proxy.ExitCode);
    }

    [Fact]
    public async Task MaxWaitWhenFull_ALineMeetingAFullBufferWaitsThatLongBeforeItIsDropped()
    {
        await using var proxy = await StartHeldAsync("00:00:05");
        using var client = new HttpClient { Timeout = RequestLimit };

        await FillTheLogAsync(proxy, client);
        proxy.ReadStandardOutput();

        Assert.True(await proxy.WaitForOutputAsync("log line(s) dropped from", TimeSpan.FromSeconds(10)), proxy.Output);
        var lines = proxy.Output.Split('\n');
        var report = Array.FindIndex(lines, l => l.Contains("log line(s) dropped from", StringComparison.Ordinal));
        var firstDrop = DropReport().Match(lines[report]);
        Assert.True(firstDrop.Success, lines[report]);
        Assert.Contains("(ConsoleLog:MaxWaitWhenFull 00:00:05)", lines[report], StringComparison.Ordinal);
        // The line that met the full buffer came after the last line written before the report, and was
        // dropped only after waiting: the gap is at least the configured wait, by the proxy's own clock.
        var lastWritten = lines.Take(report).Select(l => LineTime().Match(l)).Last(m => m.Success);
        var gap = Time(firstDrop) - Time(lastWritten);
        if (gap < TimeSpan.Zero)
        {
            gap += TimeSpan.FromDays(1); // past midnight
        }

        Assert.True(gap >= TimeSpan.FromSeconds(4.5), $"the first line was dropped {gap.TotalMilliseconds:0} ms after the last one written:\n{lines[report]}");
    }

    [Theory]
    [InlineData("00:00:06")]
    [InlineData("-00:00:01")]
    public async Task MaxWaitWhenFull_OutOfRange_StopsTheStartNamingTheKey(string value)
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["ConsoleLog:MaxWaitWhenFull"] = value });

        Assert.Contains($"MaintProxy cannot start: ConsoleLog:MaxWaitWhenFull must be from 00:00:00 to 00:00:05; it is {value}.", output, StringComparison.Ordinal);
    }

    private Task<ProxyProcess> StartHeldAsync(string maxWaitWhenFull = "00:00:00.200") =>
        ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["ConsoleLog:MaxWaitWhenFull"] = maxWaitWhenFull },
            holdStandardOutput: true);

    private static TimeSpan Time(Match match) =>
        TimeSpan.ParseExact(match.Groups["time"].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\[(?<time>[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}) ")]
    private static partial Regex LineTime();

    [GeneratedRegex(@"log line\(s\) dropped from (?<time>[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}) to ")]
    private static partial Regex DropReport();

    /// <summary>Sends enough requests to fill the pipe and the buffer; each must be answered.</summary>
    private static async Task FillTheLogAsync(ProxyProcess proxy, HttpClient client)
    {
        const int clients = 4;
        var senders = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < RequestsToFillTheLog / clients; i++)
            {
                using var response = await client.GetAsync(proxy.PublicUrl + LongPath);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }));
        await Task.WhenAll(senders);
    }
}
