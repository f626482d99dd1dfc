using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Lifetime;

/// <summary>
/// SIGTERM on the real proxy with connections that carry no request yet: a TLS handshake or a request
/// head that stalls (a port scanner, a slowloris client). Kestrel's own stop waits for them until its
/// timeout for them (10 s for a handshake, <c>Kestrel:Limits:RequestHeadersTimeout</c> for a head); the
/// drain closes them once nothing else is left to wait for, and the hard stop closes every connection.
/// </summary>
public sealed class ConnectionsWithoutRequestDrainEndToEndTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Half of Kestrel's fixed 10 s TLS handshake timeout: an exit this soon was not Kestrel's doing.</summary>
    private static readonly TimeSpan WellBeforeHandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Far longer than any test waits: a stalled head is never ended by Kestrel's own timeout here.</summary>
    private const string LongHeadersTimeout = "00:10:00";

    // A TLS record header announcing a ClientHello of 200 bytes, and the first few of them.
    private static readonly byte[] PartialClientHello = [0x16, 0x03, 0x01, 0x00, 0xC8, 0x01, 0x00, 0x00, 0xC4, 0x03, 0x03];

    private static readonly byte[] HalfSentHead = "GET /stalled HTTP/1.1\r\nHost: localhost\r\n"u8.ToArray();

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sigterm_StalledTlsHandshake_DoesNotHoldTheDrain(bool sendsPartOfAClientHello)
    {
        using var certificate = TestCertificate.Create(_dir);
        await using var backend = await TestBackend.StartAsync();
        var securePort = FreePort.Next();
        var settings = certificate.EndpointSettings("Secure", $"https://127.0.0.1:{securePort}");
        settings["Lifetime:KeepAliveDrainGrace"] = "00:00:00";
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, settings);
        using var stalled = await ConnectAsync(securePort, sendsPartOfAClientHello ? PartialClientHello : []);
        await AnswersAfterAsync($"https://127.0.0.1:{securePort}", certificate);

        proxy.Signal("TERM");

        await AssertDrainEndsByClosingAsync(proxy, stalled, WellBeforeHandshakeTimeout, "the stalled handshake held the drain", "the stalled connection is still open");
    }

    [Fact]
    public async Task Sigterm_HalfSentRequestHead_DoesNotHoldTheDrain()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Limits:RequestHeadersTimeout"] = LongHeadersTimeout,
        });
        using var stalled = await ConnectAsync(proxy.PublicPort, HalfSentHead);
        await AnswersAfterAsync(proxy.PublicUrl);

        proxy.Signal("TERM");

        // Without the drain's close, the exit waits for the host's backstop: DrainTimeout (5 minutes) + 5 s.
        await AssertDrainEndsByClosingAsync(proxy, stalled, Deadline, "the half-sent request head held the drain", "the stalled connection is still open");
    }

    [Fact]
    public async Task Sigterm_KeptAliveConnectionStalledInItsNextHead_DoesNotHoldTheDrain()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Limits:RequestHeadersTimeout"] = LongHeadersTimeout,
        });
        using var kept = await ConnectAsync(proxy.PublicPort, "GET /first HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        // The whole answer, to its last chunk: the connection is idle between two requests.
        Assert.Contains("backend ok /first", await ReceiveUntilAsync(kept, "\r\n0\r\n\r\n"), StringComparison.Ordinal);
        await kept.SendAsync(HalfSentHead);
        await AnswersAfterAsync(proxy.PublicUrl);

        proxy.Signal("TERM");

        // Without the drain's close, the exit waits for the drain timeout (5 minutes): the connection carried a request.
        await AssertDrainEndsByClosingAsync(proxy, kept, Deadline, "the kept-alive connection's half-sent head held the drain", "the kept-alive connection is still open");
    }

    [Fact]
    public async Task Sigterm_SlowClientStillReadingAnAnswer_NextHeadStalled_GetsTheWholeAnswerBeforeItsConnectionIsClosed()
    {
        var content = new byte[1024 * 1024];
        Random.Shared.NextBytes(content);
        await using var backend = await TestBackend.StartAsync(context =>
        {
            context.Response.ContentLength = content.Length;
            return context.Response.Body.WriteAsync(content).AsTask();
        });
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Limits:RequestHeadersTimeout"] = LongHeadersTimeout,
        });
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await slow.ConnectAsync(new IPEndPoint(IPAddress.Loopback, proxy.PublicPort));
        await slow.SendAsync("GET /big.iso HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        await slow.SendAsync(HalfSentHead);

        // The proxy's side of the answer is done: what is left of it waits in buffers for the client to read.
        Assert.True(await proxy.WaitForOutputAsync("GET /big.iso → 200", Deadline), proxy.Output);
        proxy.Signal("TERM");
        Assert.True(await proxy.WaitForOutputAsync("Application is shutting down", Deadline), proxy.Output);
        await Task.Delay(TimeSpan.FromSeconds(2)); // the 1 s grace and many checks of the drain after it

        var received = await ReceiveAllAsync(slow);
        var body = received.AsSpan(received.AsSpan().IndexOf("\r\n\r\n"u8) + 4);
        Assert.True(body.SequenceEqual(content), $"{body.Length} of {content.Length} bytes arrived\n" + proxy.Output);
        Assert.True(await proxy.WaitForExitAsync(Deadline), "the stalled head held the drain\n" + proxy.Output);
        Assert.Contains("Draining: closed 1 stalled connection(s)", proxy.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sigterm_Http2AnswerWaitingForTheClientsFlowControlWindow_GetsTheWholeAnswer(bool clientClosesAfterItsStreams)
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "maint"));
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "maint", "down"), "{}");
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Public:Protocols"] = "Http2",
        });
        using var client = await ConnectAsync(proxy.PublicPort, RawHttp2.Preface(streamWindow: 1000));
        await using var frames = new NetworkStream(client);
        await client.SendAsync(RawHttp2.Get("http", "/page", RawHttp2.Literal("accept", "text/html")));
        // The maintenance page is larger than the window: the proxy has written all of it and its request is
        // over, while the rest of the page waits in Kestrel for a WINDOW_UPDATE the client does not send yet.
        var (firstBytes, _) = await RawHttp2.ReceiveDataAsync(frames, untilBytes: 1000);
        Assert.Equal(1000, firstBytes);
        Assert.True(await proxy.WaitForOutputAsync("GET /page → 503 maintenance", Deadline), proxy.Output);

        proxy.Signal("TERM");
        Assert.True(await proxy.WaitForOutputAsync("Application is shutting down", Deadline), proxy.Output);
        await Task.Delay(TimeSpan.FromSeconds(2)); // the 1 s grace and many checks of the drain after it
        byte[] windowUpdates = [.. RawHttp2.Frame(0x8, 0, 0, [0, 0x10, 0, 0]), .. RawHttp2.Frame(0x8, 0, 1, [0, 0x10, 0, 0])];
        await client.SendAsync(windowUpdates);

        var (restBytes, ended) = await RawHttp2.ReceiveDataAsync(frames, untilBytes: int.MaxValue);
        Assert.True(ended, $"the answer was cut after {firstBytes + restBytes} bytes\n" + proxy.Output);
        if (clientClosesAfterItsStreams)
        {
            client.Shutdown(SocketShutdown.Both); // as many HTTP/2 clients do after a GOAWAY once their streams are done
        }

        Assert.True(await proxy.WaitForExitAsync(Deadline), "the HTTP/2 connection held the drain\n" + proxy.Output);
        Assert.Contains("every request in flight finished; exiting", proxy.Output, StringComparison.Ordinal);
        Assert.True(clientClosesAfterItsStreams || await RawHttp2.IsClosedAfterItsLastFramesAsync(frames), "the HTTP/2 connection is still open");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sigterm_Http2ClientKeepingItsConnectionAfterTheGoaway_DoesNotHoldTheDrain(bool overTls)
    {
        using var certificate = TestCertificate.Create(_dir);
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Within HTTP/2's first flow-control windows: the client needs to send no WINDOW_UPDATE.
        var download = new SlowDownload(chunks: 4, chunkSize: 8 * 1024, pause: TimeSpan.FromMilliseconds(50)) { RestSentAfter = rest.Task };
        await using var backend = await TestBackend.StartAsync(download.ServeAsync);
        var securePort = FreePort.Next();
        var settings = overTls
            ? certificate.EndpointSettings("Secure", $"https://127.0.0.1:{securePort}")
            : new Dictionary<string, string> { ["Kestrel:Endpoints:Public:Protocols"] = "Http2" };
        settings["Lifetime:DrainTimeout"] = "00:00:20";
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, settings);
        using var socket = await ConnectAsync(overTls ? securePort : proxy.PublicPort, []);
        await using var client = overTls ? await RawHttp2.OverTlsAsync(socket, certificate) : new NetworkStream(socket);
        await client.WriteAsync(RawHttp2.Preface(streamWindow: 65535));
        await client.WriteAsync(RawHttp2.Get(overTls ? "https" : "http", "/big.iso"));
        var (firstBytes, _) = await RawHttp2.ReceiveDataAsync(client, untilBytes: 8 * 1024);
        Assert.Equal(8 * 1024, firstBytes);

        var stopping = Stopwatch.StartNew();
        proxy.Signal("TERM");
        // Kestrel's stop has begun: the stream in flight finishes after its GOAWAY.
        Assert.True(await RawHttp2.ReceiveGoAwayAsync(client), "no GOAWAY came\n" + proxy.Output);
        rest.SetResult();
        var (restBytes, ended) = await RawHttp2.ReceiveDataAsync(client, untilBytes: int.MaxValue);
        Assert.True(ended, $"the answer was cut after {firstBytes + restBytes} bytes\n" + proxy.Output);
        Assert.Equal(download.Content.Length, firstBytes + restBytes);

        // The client keeps its connection and sends nothing more; without the proxy's wake, the drain waits
        // for the drain timeout (20 s here).
        Assert.True(await proxy.WaitForExitAsync(TimeSpan.FromSeconds(8)), $"the HTTP/2 connection held the drain (after {stopping.Elapsed})\n" + proxy.Output);
        Assert.Contains("every request in flight finished; exiting", proxy.Output, StringComparison.Ordinal);
        Assert.True(await RawHttp2.IsClosedAfterItsLastFramesAsync(client), "the HTTP/2 connection is still open");
    }

    [Fact]
    public async Task Sigterm_SlowDownloadInFlight_FinishesAndStalledConnectionsAreClosedAfterIt()
    {
        using var certificate = TestCertificate.Create(_dir);
        var download = new SlowDownload(chunks: 30, chunkSize: 16 * 1024, pause: TimeSpan.FromMilliseconds(100));
        await using var backend = await TestBackend.StartAsync(context =>
            context.Request.Path == "/big.iso" ? download.ServeAsync(context) : context.Response.WriteAsync("backend ok " + context.Request.Path));
        var securePort = FreePort.Next();
        var settings = certificate.EndpointSettings("Secure", $"https://127.0.0.1:{securePort}");
        settings["Kestrel:Limits:RequestHeadersTimeout"] = LongHeadersTimeout;
        settings["Lifetime:KeepAliveDrainGrace"] = "00:00:00";
        settings["Lifetime:DrainProgressInterval"] = "00:00:00.200";
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, settings);
        using var stalledHandshake = await ConnectAsync(securePort, PartialClientHello);
        using var stalledHead = await ConnectAsync(proxy.PublicPort, HalfSentHead);
        using var slowHead = await ConnectAsync(proxy.PublicPort, "GET /late HTTP/1.1\r\n"u8.ToArray());
        await AnswersAfterAsync($"https://127.0.0.1:{securePort}", certificate);

        var fetch = download.FetchAsync(proxy.PublicUrl + "/big.iso");
        await download.FirstBytesReceived.Task.WaitAsync(Deadline);
        proxy.Signal("TERM");

        // The grace is over and the download still runs: a head completed now is still answered.
        Assert.True(await proxy.WaitForOutputAsync("request(s) still in flight after", Deadline), proxy.Output);
        Assert.False(fetch.IsCompleted, "the download ended before the drain waited for it; make it slower");
        await slowHead.SendAsync("Host: localhost\r\n\r\n"u8.ToArray());
        var late = await ReceiveToEndAsync(slowHead);
        Assert.StartsWith("HTTP/1.1 200 OK", late, StringComparison.Ordinal);
        Assert.Contains("backend ok /late", late, StringComparison.Ordinal);
        Assert.Contains("Connection: close", late, StringComparison.OrdinalIgnoreCase);

        var (bytes, sha256, error) = await fetch.WaitAsync(Deadline);
        Assert.Null(error);
        Assert.Equal(download.Content.Length, bytes);
        Assert.Equal(download.Sha256, sha256);
        Assert.True(await proxy.WaitForExitAsync(Deadline), "the stalled connections held the drain\n" + proxy.Output);
        Assert.Contains("Draining: closed 2 stalled connection(s)", proxy.Output, StringComparison.Ordinal);
        Assert.Contains("every request in flight finished; exiting", proxy.Output, StringComparison.Ordinal);
        Assert.True(await IsClosedAsync(stalledHandshake), "the stalled handshake is still open");
        Assert.True(await IsClosedAsync(stalledHead), "the stalled request head is still open");
    }

    [Fact]
    public async Task DrainTimeout_WithStalledConnections_StopsAtTheTimeoutNotAtTheBackstop()
    {
        using var certificate = TestCertificate.Create(_dir);
        var download = new SlowDownload(chunks: 100, chunkSize: 16 * 1024, pause: TimeSpan.FromMilliseconds(100));
        await using var backend = await TestBackend.StartAsync(context =>
            context.Request.Path == "/too-big.iso" ? download.ServeAsync(context) : context.Response.WriteAsync("backend ok " + context.Request.Path));
        var securePort = FreePort.Next();
        var settings = certificate.EndpointSettings("Secure", $"https://127.0.0.1:{securePort}");
        settings["Kestrel:Limits:RequestHeadersTimeout"] = LongHeadersTimeout;
        settings["Lifetime:DrainTimeout"] = "00:00:01";
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, settings);
        using var stalledHandshake = await ConnectAsync(securePort, PartialClientHello);
        using var stalledHead = await ConnectAsync(proxy.PublicPort, HalfSentHead);
        await AnswersAfterAsync($"https://127.0.0.1:{securePort}", certificate);
        var fetch = download.FetchAsync(proxy.PublicUrl + "/too-big.iso");
        await download.FirstBytesReceived.Task.WaitAsync(Deadline);

        proxy.Signal("TERM");

        // The host's backstop is DrainTimeout + 5 s = 6 s; the hard stop comes at 1 s.
        Assert.True(await proxy.WaitForExitAsync(TimeSpan.FromSeconds(4)), "the proxy waited past its drain timeout\n" + proxy.Output);
        Assert.Contains("Drain timeout 00:00:01 expired: cutting off 1 request(s)", proxy.Output, StringComparison.Ordinal);
        Assert.Contains("Stopping hard: closed the", proxy.Output, StringComparison.Ordinal);
        var (bytes, _, error) = await fetch.WaitAsync(Deadline);
        Assert.NotNull(error);
        Assert.True(bytes < download.Content.Length, $"{bytes} of {download.Content.Length} bytes arrived");
        Assert.True(await IsClosedAsync(stalledHandshake), "the stalled handshake is still open");
        Assert.True(await IsClosedAsync(stalledHead), "the stalled request head is still open");
    }

    private static async Task<Socket> ConnectAsync(int port, byte[] firstBytes)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        if (firstBytes.Length > 0)
        {
            await socket.SendAsync(firstBytes);
        }

        return socket;
    }

    /// <summary>
    /// A request on a new connection to the listener is answered: the proxy has accepted the connections
    /// opened before it (a listener accepts in order), which would otherwise still wait in the kernel's
    /// queue when the drain closes the listener. The client closes its connection.
    /// </summary>
    private static async Task AnswersAfterAsync(string listenerUrl, TestCertificate? certificate = null)
    {
        using var client = new HttpClient(certificate?.CreateHandler() ?? new SocketsHttpHandler()) { Timeout = Deadline };
        using var response = await client.GetAsync(listenerUrl + "/accepted");
    }

    /// <summary>The drain closes the one stalled connection, says so, and ends as a drain that finished, not a hard stop.</summary>
    private static async Task AssertDrainEndsByClosingAsync(ProxyProcess proxy, Socket stalled, TimeSpan exitWithin, string heldMessage, string openMessage)
    {
        Assert.True(await proxy.WaitForExitAsync(exitWithin), heldMessage + "\n" + proxy.Output);
        Assert.Contains("Draining: closed 1 stalled connection(s)", proxy.Output, StringComparison.Ordinal);
        Assert.Contains("every request in flight finished; exiting", proxy.Output, StringComparison.Ordinal);
        Assert.True(await IsClosedAsync(stalled), openMessage);
    }

    /// <summary>The connection ended from the proxy's side: end of stream or reset.</summary>
    private static async Task<bool> IsClosedAsync(Socket socket)
    {
        try
        {
            return await socket.ReceiveAsync(new byte[1024]).WaitAsync(Deadline) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>What the connection brings until it holds <paramref name="expected"/>, the proxy closes it or a read waits too long.</summary>
    private static async Task<string> ReceiveUntilAsync(Socket socket, string expected)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        for (var reads = 0; reads < 1000 && !received.ToString().Contains(expected, StringComparison.Ordinal); reads++)
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

    /// <summary>Every byte the connection brings until the proxy closes it, its end by a reset included.</summary>
    private static async Task<byte[]> ReceiveAllAsync(Socket socket)
    {
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        for (var reads = 0; reads < 100_000; reads++)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer).WaitAsync(Deadline);
            }
            catch (SocketException)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }

    /// <summary>What the connection brings until the proxy closes it.</summary>
    private static async Task<string> ReceiveToEndAsync(Socket socket)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        for (var reads = 0; reads < 1000; reads++)
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
