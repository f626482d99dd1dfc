using System.Globalization;
using System.Text.RegularExpressions;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Lifetime;

/// <summary>The drain's progress lines come every <c>Lifetime:DrainProgressInterval</c>.</summary>
public sealed partial class DrainProgressEndToEndTests : EndToEndTest
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task DrainProgressInterval_RequestInFlight_ProgressIsLoggedAtThatInterval()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var download = new SlowDownload(chunks: 2, chunkSize: 16 * 1024, pause: TimeSpan.FromMilliseconds(10)) { RestSentAfter = release.Task };
        await using var backend = await TestBackend.StartAsync(download.ServeAsync);
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Lifetime:DrainProgressInterval"] = "00:00:00.200",
        });
        var fetch = download.FetchAsync(proxy.PublicUrl + "/big.iso");
        await download.FirstBytesReceived.Task.WaitAsync(Deadline);

        proxy.Signal("TERM");
        var reported = await Eventually.TrueAsync(() => ProgressLine().Count(proxy.Output) >= 3, Deadline);
        release.SetResult();

        Assert.True(reported, proxy.Output);
        // Three reports within the default interval: each came at the configured one, the proxy's own clock says.
        var third = ProgressLine().Matches(proxy.Output)[2];
        var elapsed = TimeSpan.FromSeconds(double.Parse(third.Groups["seconds"].Value, CultureInfo.InvariantCulture));
        Assert.True(elapsed < DefaultInterval, third.Value);
        Assert.Null((await fetch.WaitAsync(Deadline)).Error);
        Assert.True(await proxy.WaitForExitAsync(Deadline), "the proxy did not exit after the last request");
    }

    [GeneratedRegex(@"Draining: 1 request\(s\) still in flight after (?<seconds>[0-9]+\.[0-9]) s")]
    private static partial Regex ProgressLine();
}
