using System.Diagnostics;
using System.Globalization;
using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// php-fpm's answers are read as fast as it sends them, into a spool, so that a client that reads slowly
/// or not at all holds no worker: against one real php-fpm worker and the built proxy.
/// </summary>
public sealed class PhpFpmResponseSpoolEndToEndTests : FastCgiEndToEndTest
{
    private const string LargeDownload = "/download.php?mb=16";
    private const long LargeDownloadBytes = 16L * 1024 * 1024;

    // php-fpm writing the download and a stat(1) per look at the spool: slow on a machine busy with other tests.
    private static readonly TimeSpan SpoolDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SpoolPollInterval = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task StalledReader_TheWorkerIsFreedAtEndRequest_SoTheNextClientIsServed_AndTheStalledClientStillGetsEverything()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(15));
        using var stalled = await StalledReader.SendAsync(proxy.PublicPort, LargeDownload);
        Assert.True(await stalled.WaitForAnswerAsync(), "the download never started");

        using var next = await Client.GetAsync(proxy.PublicUrl + "/hello.php");

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        var (head, length, intact) = await stalled.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal);
        Assert.Equal(LargeDownloadBytes, length);
        Assert.True(intact, "the body differs from what the script wrote");
        Assert.True(await Eventually.TrueAsync(() => SpoolFiles(proxy).Count == 0, SpoolDeadline, SpoolPollInterval), "the spool file stayed open");
    }

    [Fact]
    public async Task FlushedOutput_ReachesTheClientAsTheScriptWritesIt()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(15));
        var ran = Dir.File("ran");
        var release = Dir.File("release");

        using var response = await Client.GetAsync($"{proxy.PublicUrl}/trickle.php?file={ran}&release={release}", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var first = new byte[1];
        var read = await body.ReadAsync(first);

        // The script is still running (it writes a dot every 100 ms until released) and the dot is here.
        Assert.Equal(1, read);
        Assert.Equal((byte)'.', first[0]);
        await File.WriteAllTextAsync(release, "");
        using var rest = new StreamReader(body);
        Assert.EndsWith("released", await rest.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientLeavesAfterTheServerIsDone_TheSpoolFileIsClosedAtOnce()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(15));
        using var stalled = await StalledReader.SendAsync(proxy.PublicPort, LargeDownload);
        Assert.True(await Eventually.TrueAsync(() => SpoolFiles(proxy).Count == 1, SpoolDeadline, SpoolPollInterval), "no spool file was opened");
        using (var next = await Client.GetAsync(proxy.PublicUrl + "/hello.php"))
        {
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }

        stalled.Abort();

        Assert.True(await Eventually.TrueAsync(() => SpoolFiles(proxy).Count == 0, SpoolDeadline, SpoolPollInterval), "the spool file stayed open");
        Assert.Empty(Directory.GetFiles(proxy.TempPath));
    }

    [Fact]
    public async Task SpoolAtItsCap_TheFileGrowsNoFurther_AndTheRestGoesAtTheClientsPace()
    {
        const long Cap = 1024 * 1024;
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(15), new Dictionary<string, string>
        {
            ["FastCgi:MaxBufferedResponseBodyBytes"] = Cap.ToString(CultureInfo.InvariantCulture),
        });
        using var stalled = await StalledReader.SendAsync(proxy.PublicPort, LargeDownload);

        // The file takes pieces of at most 16 KiB while they fit under the cap.
        Assert.True(await Eventually.TrueAsync(() => SpoolFiles(proxy) is [var size] && size > Cap - 16 * 1024, SpoolDeadline, SpoolPollInterval),
            "the spool file never reached its cap");
        Assert.True(SpoolFiles(proxy) is [var atCap] && atCap <= Cap, $"the spool file grew past its cap of {Cap} bytes");

        var (head, length, intact) = await stalled.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal);
        Assert.Equal(LargeDownloadBytes, length);
        Assert.True(intact, "the body differs from what the script wrote");
        using var next = await Client.GetAsync(proxy.PublicUrl + "/hello.php");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Theory]
    [InlineData("&unbuffered=1", "1073741824")]
    [InlineData("", "0")]
    public async Task UnbufferedAnswer_GoesAtTheClientsPace_HoldingTheWorkerUntilTheClientHasIt(string query, string maxBuffered)
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(15), new Dictionary<string, string>
        {
            ["FastCgi:MaxBufferedResponseBodyBytes"] = maxBuffered,
        });
        using (var small = await Client.GetAsync($"{proxy.PublicUrl}/download.php?mb=1{query}"))
        {
            Assert.Equal(1024 * 1024, (await small.Content.ReadAsByteArrayAsync()).Length);
            Assert.False(small.Headers.Contains("X-Accel-Buffering"), "the header is meant for the proxy, not the client (as with nginx)");
        }

        using var stalled = await StalledReader.SendAsync(proxy.PublicPort, LargeDownload + query);
        Assert.True(await stalled.WaitForAnswerAsync(), "the download never started");
        using (var leaving = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            // The only worker is still sending the download: the next request waits in line until this client leaves.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client.GetAsync(proxy.PublicUrl + "/hello.php", leaving.Token));
        }

        Assert.True(await proxy.WaitForOutputAsync("all 1 were busy, so the server never saw it", SpoolDeadline), proxy.Output);
        Assert.Empty(SpoolFiles(proxy));
        var (_, length, intact) = await stalled.ReadToEndAsync();
        Assert.Equal(LargeDownloadBytes, length);
        Assert.True(intact, "the body differs from what the script wrote");
    }

    [Fact]
    public async Task Drain_AStalledClientStillGetsItsWholeDownloadFromTheSpool()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(15));
        using var stalled = await StalledReader.SendAsync(proxy.PublicPort, LargeDownload);
        Assert.True(await Eventually.TrueAsync(() => SpoolFiles(proxy).Count == 1, SpoolDeadline, SpoolPollInterval), "no spool file was opened");

        proxy.Signal("TERM");
        Assert.True(await proxy.WaitForOutputAsync("Draining", SpoolDeadline), proxy.Output);
        var (head, length, intact) = await stalled.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal);
        Assert.Equal(LargeDownloadBytes, length);
        Assert.True(intact, "the body differs from what the script wrote");
        Assert.True(await proxy.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the proxy did not exit after the download");
    }

    /// <summary>The sizes of the proxy's open spool files (unlinked, so seen only through its descriptors).</summary>
    private static List<long> SpoolFiles(ProxyProcess proxy)
    {
        var sizes = new List<long>();
        foreach (var fd in Directory.EnumerateFiles($"/proc/{proxy.Pid}/fd"))
        {
            try
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.Contains("maintproxy-response-", StringComparison.Ordinal))
                {
                    sizes.Add(SizeThroughDescriptor(fd));
                }
            }
            catch (IOException)
            {
                // Closed meanwhile.
            }
        }

        return sizes;
    }

    /// <summary><c>stat -L</c>: the file's own size (the proxy's lock keeps the file from being opened here).</summary>
    private static long SizeThroughDescriptor(string fd)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-L", "-c", "%s", fd]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        return stat.ExitCode == 0 ? long.Parse(output.Trim(), CultureInfo.InvariantCulture) : 0;
    }
}
