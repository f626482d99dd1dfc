using System.Globalization;
using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>The built proxy, a real backend and the real down.sh/up.sh, all as separate processes.</summary>
public sealed class SwitchScriptsEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task SeveralWindows_AreEachDescribedInTheLog()
    {
        await using var proxy = await StartProxyAsync();

        Assert.Equal(0, (await Scripts.DownAsync(proxy, "--site", "a.example", "--read-only", "--reason", "A read-only")).ExitCode);
        Assert.Equal(0, (await Scripts.DownAsync(proxy, "--site", "b.example", "--retry-after", "60", "--reason", "B\n[00:00:00.000 INF] forged")).ExitCode);
        var down = await Scripts.DownAsync(proxy, "--reason", "everything", "--allow", "10.0.0.0/8");
        Assert.True(down.ExitCode == 0, down.Stderr);

        // The line of the last switch names every window in force and what each does, not only the first reason.
        var expected = "Maintenance is ON (generation 4) from sentinel " + proxy.SentinelPath + ": 3 window(s): "
            + "site a.example read-only, reason: A read-only; "
            + "site b.example retry after 60 s, reason: B\\x0A[00:00:00.000 INF] forged; "
            + "every site allowing 10.0.0.0/8, reason: everything";
        Assert.True(await proxy.WaitForOutputAsync(expected, TimeSpan.FromSeconds(10)), proxy.Output);
    }

    [Fact]
    public async Task Status_ReasonWithNewlinesAndEscapes_PrintsEachWindowOnOneLine()
    {
        await using var proxy = await StartProxyAsync();
        Assert.Equal(0, (await Scripts.DownAsync(proxy, "--site", "a.example", "--read-only", "--retry-after", "60",
            "--reason", "db\nWindow for site shop.example, since 2026-01-01 00:00:00Z\n  reason: fake")).ExitCode);
        // A hand-written line may hold any control character; the scripts leave the other lines as they are.
        await File.AppendAllTextAsync(proxy.SentinelPath, "{\"site\":\"b.example\",\"reason\":\"\\u001b[2Jcleared\"}\n");
        Assert.Equal(0, (await Scripts.DownAsync(proxy, "--allow", "10.0.0.0/8", "--secret")).ExitCode);

        var status = await Scripts.DownAsync(proxy, "--status");

        Assert.Equal(0, status.ExitCode);
        var windows = status.Stdout.Split('\n').Where(line => line.StartsWith("Window", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, windows.Count);
        Assert.Matches(@"^Window for site a\.example, since [0-9: -]+Z, read-only, retry after 60 s, "
            + @"reason: db\\x0AWindow for site shop\.example, since 2026-01-01 00:00:00Z\\x0A  reason: fake$", windows[0]);
        Assert.Equal(@"Window for site b.example, reason: \x1B[2Jcleared", windows[1]);
        Assert.Matches(@"^Window for every site, since [0-9: -]+Z, allowing 10\.0\.0\.0/8, with a bypass secret$", windows[2]);
        Assert.DoesNotContain('\u001b', status.Stdout);
    }

    [Fact]
    public async Task DownAgain_WithoutTheEarlierOptions_ReplacesTheWindowAndNamesWhatItHad()
    {
        await using var proxy = await StartProxyAsync();
        string[] first = ["--site", "shop.example", "--secret=abcdefghijklmnop1234", "--reason", "DB upgrade", "--read-only", "--allow", "10.0.0.0/8"];
        var opened = await Scripts.DownAsync(proxy, first);
        Assert.True(opened.ExitCode == 0 && opened.Stderr.Length == 0, opened.Stderr);
        var same = await Scripts.DownAsync(proxy, first);
        Assert.True(same.ExitCode == 0 && same.Stderr.Length == 0, same.Stderr);

        var replaced = await Scripts.DownAsync(proxy, "--site", "SHOP.example", "--until", "2099-01-01T00:00:00Z");

        Assert.True(replaced.ExitCode == 0, replaced.Stderr);
        Assert.Equal(
            "down: the window for site shop.example replaced the earlier one, which had a bypass secret, reason \"DB upgrade\", read-only, "
            + "allowed networks 10.0.0.0/8: each run states the whole window. To keep them, run down.sh again with this run's options and "
            + "--secret=VALUE --reason TEXT --read-only --allow 10.0.0.0/8 (VALUE: the bypass secret printed when it was set)\n",
            replaced.Stderr);
        var window = (await proxy.StatusAsync()).GetProperty("windows")[0];
        Assert.Equal("2099-01-01T00:00:00+00:00", window.GetProperty("until").GetString());
        Assert.False(window.GetProperty("secret").GetBoolean());
    }

    [Fact]
    public async Task DownAgain_ForEverySite_NamesTheRetryAfterItDropsAndNothingForAnotherSite()
    {
        await using var proxy = await StartProxyAsync();
        Assert.Equal(0, (await Scripts.DownAsync(proxy, "--retry-after", "60")).ExitCode);
        Assert.Equal(0, (await Scripts.DownAsync(proxy, "--site", "a.example", "--reason", "a")).ExitCode);

        var other = await Scripts.DownAsync(proxy, "--site", "b.example");
        var every = await Scripts.DownAsync(proxy, "--reason", "everything");

        Assert.True(other.ExitCode == 0 && other.Stderr.Length == 0, other.Stderr);
        Assert.True(every.ExitCode == 0, every.Stderr);
        Assert.Equal(
            "down: the window for every site replaced the earlier one, which had retry-after 60 s: each run states the whole window. "
            + "To keep them, run down.sh again with this run's options and --retry-after 60\n",
            every.Stderr);
    }

    [Fact]
    public async Task DownAgain_WithoutTheEarlierUntil_ReplacesTheWindowAndNamesTheUntil()
    {
        await using var proxy = await StartProxyAsync();
        Assert.Equal(0, (await Scripts.DownAsync(proxy, "--site", "a.example", "--until", "2099-01-01T00:00:00Z")).ExitCode);

        var replaced = await Scripts.DownAsync(proxy, "--site", "a.example", "--reason", "longer");

        Assert.True(replaced.ExitCode == 0, replaced.Stderr);
        Assert.Equal(
            "down: the window for site a.example replaced the earlier one, which had until 2099-01-01T00:00:00Z: each run states the whole window. "
            + "To keep them, run down.sh again with this run's options and --until TIME\n",
            replaced.Stderr);
        var window = (await proxy.StatusAsync()).GetProperty("windows")[0];
        Assert.Equal("longer", window.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Down_ReasonWithControlCharacters_KeepsEveryCharacter()
    {
        await using var proxy = await StartProxyAsync();
        const string reason = "db\u001b[31m upgrade\u0007 \"v2\" \\ ü\ttab\nline";

        var down = await Scripts.DownAsync(proxy, "--reason", reason);

        Assert.True(down.ExitCode == 0, down.Stderr);
        var status = await proxy.StatusAsync();
        Assert.Equal(reason, status.GetProperty("windows")[0].GetProperty("reason").GetString());
        Assert.True(await proxy.WaitForOutputAsync(@"reason: db\x1B[31m upgrade\x07 ""v2"" \ ü\x09tab\x0Aline", TimeSpan.FromSeconds(5)), proxy.Output);
    }

    [Fact]
    public async Task DownThenUp_UnderConcurrentLoad_IsABarrier()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url);
        var load = new LoadClients(proxy.PublicUrl + "/load", clients: 4);
        await using (load)
        {
            await load.WaitForAsync(s => s.Status == 200, 50, "forwarded requests before down.sh");

            var down = await Scripts.DownAsync(proxy);
            Assert.True(down.ExitCode == 0, down.Stderr);
            await load.WaitForAsync(s => s.SentAt > down.ExitedAt, 200, "requests after down.sh returned");

            var upStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            var up = await Scripts.UpAsync(proxy);
            Assert.True(up.ExitCode == 0, up.Stderr);
            await load.WaitForAsync(s => s.SentAt > up.ExitedAt, 50, "requests after up.sh returned");

            await load.DisposeAsync();
            var samples = load.Samples.ToList();
            var duringMaintenance = samples.Where(s => s.SentAt > down.ExitedAt && s.AnsweredAt < upStarted).ToList();
            Assert.True(duringMaintenance.Count >= 200);
            Assert.All(duringMaintenance, s => Assert.True(s.Status == 503 && s.MaintenanceHeader, $"request {s.Seq} sent after down.sh returned got {s.Status}"));

            // The barrier, counted at the backend: it saw not one request that was sent after down.sh returned.
            var sentAfterDown = duringMaintenance.Select(s => s.Seq.ToString(CultureInfo.InvariantCulture)).ToHashSet();
            var leaked = Backend.Requests.Where(r => sentAfterDown.Contains(r.Header(LoadClients.SeqHeader) ?? "")).ToList();
            Assert.Empty(leaked);

            var afterUp = samples.Where(s => s.SentAt > up.ExitedAt).ToList();
            Assert.NotEmpty(afterUp);
            Assert.All(afterUp, s => Assert.True(s.Status == 200 && !s.MaintenanceHeader, $"request {s.Seq} sent after up.sh returned got {s.Status}"));
            Assert.True(samples.Count(s => s.SentAt < down.ExitedAt && s.Status == 200) >= 50);
        }
    }

    [Fact]
    public async Task Down_NoSentinelOption_WritesTheSentinelTheProxyReports()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url);

        var down = await Scripts.DownAsync(proxy);

        Assert.Equal(0, down.ExitCode);
        Assert.Contains("Maintenance ON: confirmed", down.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(proxy.SentinelPath));
        var up = await Scripts.UpAsync(proxy);
        Assert.Equal(0, up.ExitCode);
        Assert.False(File.Exists(proxy.SentinelPath));
    }

    [Fact]
    public async Task Down_NoProxyRunning_FailsCleanlyAndLeavesTheSentinel()
    {
        var sentinel = Dir.File("down");
        var deadAdmin = $"http://127.0.0.1:{FreePort.Next()}";

        var down = await Scripts.DownAsync(deadAdmin, "--sentinel", sentinel, "--timeout", "0.3");

        Assert.Equal(1, down.ExitCode);
        Assert.Contains("no MaintProxy answered", down.Stderr, StringComparison.Ordinal);
        Assert.Contains("--no-wait", down.Stderr, StringComparison.Ordinal);
        // A proxy started later applies it only if it watches this file: the message says which file, and that condition.
        Assert.Contains($"The change to {sentinel} stays: a proxy started later applies it if its Maintenance:SentinelPath is this file.", down.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(sentinel), "the sentinel stays, so a proxy started later starts in maintenance");
    }

    [Fact]
    public async Task NoWait_NoProxyRunning_FlipsTheSentinelAndSucceeds()
    {
        var sentinel = Dir.File("down");
        var deadAdmin = $"http://127.0.0.1:{FreePort.Next()}";

        var down = await Scripts.DownAsync(deadAdmin, "--sentinel", sentinel, "--no-wait");
        Assert.Equal(0, down.ExitCode);
        Assert.True(File.Exists(sentinel));

        var up = await Scripts.UpAsync(deadAdmin, "--sentinel", sentinel, "--no-wait");
        Assert.Equal(0, up.ExitCode);
        Assert.False(File.Exists(sentinel));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--timeout", "soon")]
    public async Task Down_BadUsage_ExitsTwoWithAMessage(params string[] args)
    {
        var down = await Scripts.DownAsync("http://127.0.0.1:1", args);

        Assert.Equal(2, down.ExitCode);
        Assert.StartsWith("down: ", down.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("192.168.001.010")]
    [InlineData("10.0.0.010/8")]
    public async Task Down_AllowWithLeadingZeros_ExitsTwoAndWritesNothing(string cidr)
    {
        var sentinel = Path.Combine(Dir.Path, "down");

        var down = await Scripts.DownAsync("http://127.0.0.1:1", "--sentinel", sentinel, "--no-wait", "--allow", cidr);

        Assert.Equal(2, down.ExitCode);
        Assert.StartsWith($"down: --allow '{cidr}' is not an IP address", down.Stderr, StringComparison.Ordinal);
        Assert.Contains("without leading zeros", down.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(sentinel));
    }

    [Fact]
    public async Task Help_PrintsUsageAndSucceeds()
    {
        var help = await Scripts.UpAsync("http://127.0.0.1:1", "--help");

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Usage: ./up.sh", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProxyStartedWithSentinelPresent_AnswersItsVeryFirstRequestWith503()
    {
        Directory.CreateDirectory(Path.Combine(Dir.Path, "maint"));
        await File.WriteAllTextAsync(Path.Combine(Dir.Path, "maint", "down"), "");
        await using var proxy = ProxyProcess.Start(Dir.Path, Backend.Url);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        HttpResponseMessage? first = null;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            try
            {
                first = await client.GetAsync(proxy.PublicUrl + "/first");
                return true;
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5)));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first!.StatusCode);
        Assert.True(first.Headers.Contains("X-Maintenance-Mode"));
        Assert.Empty(Backend.Requests);
        first.Dispose();
    }
}
