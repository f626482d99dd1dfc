using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Lifetime;

/// <summary>SIGTERM on the real proxy process, with a slow download streaming through it.</summary>
public sealed class GracefulShutdownEndToEndTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>For what only a log line shows, on a machine that may be busy with other tests.</summary>
    private static readonly TimeSpan SlowEventDeadline = TimeSpan.FromSeconds(60);

    // The end of a chunked body: the test backend's answers are chunked.
    private const string LastChunk = "\r\n0\r\n\r\n";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Sigterm_DuringSlowDownload_DownloadCompletesWhileNewConnectionsAreRefused()
    {
        var download = new SlowDownload(chunks: 60, chunkSize: 16 * 1024, pause: TimeSpan.FromMilliseconds(100));
        await using var backend = await TestBackend.StartAsync(download.ServeAsync);
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Lifetime:DrainProgressInterval"] = "00:00:00.500",
        });

        var fetch = download.FetchAsync(proxy.PublicUrl + "/big.iso");
        await download.FirstBytesReceived.Task.WaitAsync(Deadline);
        proxy.Signal("TERM");

        Assert.True(await proxy.WaitForOutputAsync("Draining: new connections are no longer accepted", Deadline), proxy.Output);
        Assert.True(await Eventually.TrueAsync(() => Connections.IsRefusedAsync(proxy.PublicPort), Deadline), "new connections are still accepted");
        Assert.True(await proxy.WaitForOutputAsync("request(s) still in flight after", Deadline), proxy.Output);
        Assert.False(fetch.IsCompleted, "the download ended before the proxy started draining; make it slower");

        var (bytes, sha256, error) = await fetch.WaitAsync(Deadline);
        Assert.Null(error);
        Assert.Equal(download.Content.Length, bytes);
        Assert.Equal(download.Sha256, sha256);

        Assert.True(await proxy.WaitForExitAsync(Deadline), "the proxy did not exit after the last request");
        Assert.Contains("every request in flight finished; exiting", proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Stopped hard", proxy.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("QUIT")]
    public async Task SecondSigintOrSigquit_WhileDraining_CutsOffAtOnceAndSaysSo(string signal)
    {
        var download = new SlowDownload(chunks: 100, chunkSize: 16 * 1024, pause: TimeSpan.FromMilliseconds(100));
        await using var backend = await TestBackend.StartAsync(download.ServeAsync);
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url);

        var fetch = download.FetchAsync(proxy.PublicUrl + "/too-big.iso");
        await download.FirstBytesReceived.Task.WaitAsync(Deadline);
        proxy.Signal(signal);
        Assert.True(await proxy.WaitForOutputAsync("Draining: new connections are no longer accepted", Deadline), proxy.Output);
        Assert.False(fetch.IsCompleted, "the download ended on the first signal");
        proxy.Signal(signal);

        var (bytes, _, error) = await fetch.WaitAsync(Deadline);
        Assert.NotNull(error);
        Assert.True(bytes < download.Content.Length, $"{bytes} of {download.Content.Length} bytes arrived");
        Assert.True(await proxy.WaitForExitAsync(Deadline), "the proxy did not exit after the second signal");
        Assert.Contains($"Second SIG{signal} while draining: cutting off 1 request(s)", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sighup_DuringSlowDownload_IsLoggedWithWhatToDoAndStopsNothing()
    {
        // The download stays open until the signal has been handled, however slow a busy machine makes that.
        var signalHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var download = new SlowDownload(chunks: 30, chunkSize: 16 * 1024, pause: TimeSpan.FromMilliseconds(10)) { RestSentAfter = signalHandled.Task };
        await using var backend = await TestBackend.StartAsync(context =>
            context.Request.Path == "/big.iso" ? download.ServeAsync(context) : context.Response.WriteAsync("backend ok " + context.Request.Path));
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url);

        var fetch = download.FetchAsync(proxy.PublicUrl + "/big.iso");
        await download.FirstBytesReceived.Task.WaitAsync(Deadline);
        proxy.Signal("HUP");

        // .NET runs a SIGHUP handler on the thread pool (SIGTERM/SIGINT/SIGQUIT get a thread of their own): a loaded machine delays it.
        Assert.True(await proxy.WaitForOutputAsync("SIGHUP ignored", SlowEventDeadline), proxy.Output);
        Assert.Contains("maint/restart.sh", proxy.Output, StringComparison.Ordinal);
        Assert.False(fetch.IsCompleted, "the download ended at the signal");
        signalHandled.SetResult();
        var (bytes, sha256, error) = await fetch.WaitAsync(Deadline);
        Assert.Null(error);
        Assert.Equal(download.Content.Length, bytes);
        Assert.Equal(download.Sha256, sha256);

        // A new connection: the proxy still accepts and serves.
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });
        Assert.Equal("backend ok /after-hup", await client.GetStringAsync(proxy.PublicUrl + "/after-hup"));
        Assert.False(proxy.HasExited, proxy.Output);
        Assert.DoesNotContain("Draining", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_DownloadLongerThanDrainTimeout_IsCutOffAndLoggedAsCutOff()
    {
        var download = new SlowDownload(chunks: 100, chunkSize: 16 * 1024, pause: TimeSpan.FromMilliseconds(100));
        var answerHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync(context =>
            context.Request.Path == "/held" ? HoldAnswerAsync(context, answerHeld) : download.ServeAsync(context));
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Lifetime:DrainTimeout"] = "00:00:01",
        });

        var fetch = download.FetchAsync(proxy.PublicUrl + "/too-big.iso");
        using var heldClient = new HttpClient();
        var held = heldClient.GetAsync(proxy.PublicUrl + "/held");
        await download.FirstBytesReceived.Task.WaitAsync(Deadline);
        await answerHeld.Task.WaitAsync(Deadline);
        proxy.Signal("TERM");

        var (bytes, _, error) = await fetch.WaitAsync(Deadline);
        Assert.NotNull(error);
        Assert.True(bytes < download.Content.Length, $"{bytes} of {download.Content.Length} bytes arrived");
        await Assert.ThrowsAsync<HttpRequestException>(() => held.WaitAsync(Deadline));
        Assert.True(await proxy.WaitForExitAsync(Deadline), "the proxy did not exit after the drain timeout");
        Assert.Contains("Drain timeout 00:00:01 expired: cutting off 2 request(s)", proxy.Output, StringComparison.Ordinal);
        Assert.Contains("Stopped hard after", proxy.Output, StringComparison.Ordinal);
        // The client kept reading: the proxy cut it off, which the log must not blame on the client.
        Assert.Matches(new Regex(@"GET /too-big\.iso → 200 cut-off in "), proxy.Output);
        Assert.DoesNotContain("/too-big.iso → 200 client-error", proxy.Output, StringComparison.Ordinal);
        // Cut off before its answer began: its client got no status, not the 400 YARP marks a request it gave up with.
        Assert.Matches(new Regex(@"GET /held → 0 cut-off in "), proxy.Output);
    }

    private static async Task HoldAnswerAsync(HttpContext context, TaskCompletionSource held)
    {
        held.TrySetResult();
        await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    [Fact]
    public async Task SecondSigterm_WhileDraining_CutsOffAtOnceAndSaysSo()
    {
        var download = new SlowDownload(chunks: 100, chunkSize: 16 * 1024, pause: TimeSpan.FromMilliseconds(100));
        await using var backend = await TestBackend.StartAsync(download.ServeAsync);
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url);

        var fetch = download.FetchAsync(proxy.PublicUrl + "/too-big.iso");
        await download.FirstBytesReceived.Task.WaitAsync(Deadline);
        proxy.Signal("TERM");
        Assert.True(await proxy.WaitForOutputAsync("Draining: new connections are no longer accepted", Deadline), proxy.Output);
        Assert.False(fetch.IsCompleted, "the download ended on the first signal");
        proxy.Signal("TERM");

        var (bytes, _, error) = await fetch.WaitAsync(Deadline);
        Assert.NotNull(error);
        Assert.True(bytes < download.Content.Length, $"{bytes} of {download.Content.Length} bytes arrived");
        Assert.True(await proxy.WaitForExitAsync(Deadline), "the proxy did not exit after the second signal");
        Assert.Contains("Second SIGTERM while draining: cutting off 1 request(s)", proxy.Output, StringComparison.Ordinal);
        Assert.Contains("Stopped hard after", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_IdleKeepAliveConnection_IsClosedAfterTheGraceAndProxyExits()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, proxy.PublicPort));
        await socket.SendAsync("GET /idle HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("backend ok /idle", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer).WaitAsync(Deadline);
            Assert.NotEqual(0, read);
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        // The connection is now idle and kept alive; the drain timeout is the default five minutes, the
        // grace for kept-alive connections the default second.
        proxy.Signal("TERM");

        // The rest of the answer may come first. A connection never closed fails at the deadline rather than hanging the test.
        var closed = await Eventually.TrueAsync(async () => await socket.ReceiveAsync(buffer).WaitAsync(Deadline) == 0, Deadline);
        Assert.True(closed, "the idle keep-alive connection was not closed");
        Assert.True(await proxy.WaitForExitAsync(Deadline), proxy.Output);
        Assert.Contains("every request in flight finished; exiting", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_RequestSentOnAKeptAliveConnectionOnceNewOnesAreRefused_IsAnsweredThenTheConnectionCloses()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Lifetime:KeepAliveDrainGrace"] = "00:00:05",
        });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, proxy.PublicPort));
        await socket.SendAsync("GET /first HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        Assert.Contains("backend ok /first", await ReceiveUntilAsync(socket, LastChunk), StringComparison.Ordinal);

        // A client (a load balancer's pool, a browser) reuses the connection just as the drain begins.
        proxy.Signal("TERM");
        Assert.True(await Eventually.TrueAsync(() => Connections.IsRefusedAsync(proxy.PublicPort), Deadline), "new connections are still accepted");
        await socket.SendAsync("GET /second HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());

        var answer = await ReceiveUntilAsync(socket, LastChunk);
        Assert.StartsWith("HTTP/1.1 200 OK", answer, StringComparison.Ordinal);
        Assert.Contains("backend ok /second", answer, StringComparison.Ordinal);
        Assert.Contains("Connection: close", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await socket.ReceiveAsync(new byte[1024]).WaitAsync(Deadline));
        Assert.True(await proxy.WaitForExitAsync(Deadline), proxy.Output);
        Assert.Contains("every request in flight finished; exiting", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_NewConnectionsAreRefusedAtTheStartOfTheKeepAliveGraceNotAtItsEnd()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            // Longer than Deadline: Kestrel's own stop, after the grace, cannot be what refuses them.
            ["Lifetime:KeepAliveDrainGrace"] = "00:01:00",
        });

        proxy.Signal("TERM");

        Assert.True(await Eventually.TrueAsync(() => Connections.IsRefusedAsync(proxy.PublicPort), Deadline), "new connections are still accepted during the grace");
        proxy.Signal("TERM"); // ends the grace
        Assert.True(await proxy.WaitForExitAsync(Deadline), proxy.Output);
    }

    [Fact]
    public async Task KeepAliveDrainGrace_AKeptAliveConnectionIsStillAnsweredAfterTheDefaultGraceHasPassed()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            if (context.Request.Path == "/held")
            {
                await release.Task.WaitAsync(Deadline, context.RequestAborted);
            }

            await context.Response.WriteAsync("backend ok " + context.Request.Path, context.RequestAborted);
        });
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Lifetime:KeepAliveDrainGrace"] = "00:00:10",
            ["Lifetime:DrainProgressInterval"] = "00:00:00.500",
        });
        using var client = new HttpClient { Timeout = Deadline };
        var held = client.GetStringAsync(proxy.PublicUrl + "/held");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, proxy.PublicPort));
        await socket.SendAsync("GET /first HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        Assert.Contains("backend ok /first", await ReceiveUntilAsync(socket, LastChunk), StringComparison.Ordinal);
        Assert.True(await Eventually.TrueAsync(() => backend.Requests.Any(r => r.Path == "/held"), Deadline), "the held request did not reach the backend");

        proxy.Signal("TERM");
        // The request held in flight makes the drain report its progress: by the proxy's own clock, more
        // than the default grace (1 s) has passed once it reports 1.5 s.
        Assert.True(await Eventually.TrueAsync(() => ReportedSeconds(proxy.Output) >= 1.5, SlowEventDeadline), proxy.Output);
        await socket.SendAsync("GET /second HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());

        var answer = await ReceiveUntilAsync(socket, LastChunk);
        Assert.StartsWith("HTTP/1.1 200 OK", answer, StringComparison.Ordinal);
        Assert.Contains("backend ok /second", answer, StringComparison.Ordinal);
        Assert.Contains("Connection: close", answer, StringComparison.OrdinalIgnoreCase);
        release.SetResult();
        Assert.Equal("backend ok /held", await held);
        proxy.Signal("TERM"); // ends the grace
        Assert.True(await proxy.WaitForExitAsync(Deadline), proxy.Output);
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("00:01:01")]
    public async Task KeepAliveDrainGrace_OutOfRange_RefusesToStartNamingTheKey(string grace)
    {
        await using var backend = await TestBackend.StartAsync();

        var output = await ProxyProcess.StartRefusedAsync(_dir.Path, backend.Url, new Dictionary<string, string> { ["Lifetime:KeepAliveDrainGrace"] = grace });

        Assert.Contains("Lifetime:KeepAliveDrainGrace", output, StringComparison.Ordinal);
    }

    /// <summary>What the connection brings until the text is in it, or the server closes it.</summary>
    /// <summary>The longest drain time a progress line has reported so far, in seconds.</summary>
    private static double ReportedSeconds(string output) =>
        Regex.Matches(output, @"still in flight after (?<seconds>[0-9]+\.[0-9]) s")
            .Select(m => double.Parse(m.Groups["seconds"].Value, CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0)
            .Max();

    private static async Task<string> ReceiveUntilAsync(Socket socket, string text)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains(text, StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer).WaitAsync(Deadline);
            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return received.ToString();
    }
}
