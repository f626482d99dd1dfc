using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Lifetime;

/// <summary>
/// SIGTERM on the real proxy with a WebSocket open beside a slow download: the WebSocket never
/// finishes by itself, so the drain closes it, and the proxy exits once the download is done
/// instead of at the drain timeout.
/// </summary>
public sealed class UpgradedConnectionsDrainEndToEndTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")] // an extended CONNECT over TLS (RFC 8441)
    public async Task Sigterm_ClosesWebSockets_DownloadFinishes_AndTheDrainEndsBeforeItsTimeout(string httpVersion)
    {
        using var certificate = TestCertificate.Create(_dir);
        var download = new SlowDownload(chunks: 30, chunkSize: 16 * 1024, pause: TimeSpan.FromMilliseconds(100));
        await using var backend = await TestBackend.StartAsync(context =>
            context.Request.Path == "/big.iso" ? download.ServeAsync(context) : WebSocketEcho.ServeAsync(context));
        var securePort = FreePort.Next();
        var settings = certificate.EndpointSettings("Secure", $"https://127.0.0.1:{securePort}");
        settings["Lifetime:DrainTimeout"] = "00:05:00";
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, settings);

        using var socket = await ConnectAsync(certificate, securePort, Version.Parse(httpVersion));
        Assert.Equal("before", await WebSocketEcho.EchoAsync(socket, "before"));
        var fetch = download.FetchAsync(proxy.PublicUrl + "/big.iso");
        await download.FirstBytesReceived.Task.WaitAsync(Deadline);
        proxy.Signal("TERM");

        Assert.True(await proxy.WaitForOutputAsync("Draining: closed 1 upgraded connection(s) (WebSocket)", Deadline), proxy.Output);
        await Assert.ThrowsAnyAsync<Exception>(() => WebSocketEcho.EchoAsync(socket, "after"));
        var (bytes, sha256, error) = await fetch.WaitAsync(Deadline);
        Assert.Null(error);
        Assert.Equal(download.Content.Length, bytes);
        Assert.Equal(download.Sha256, sha256);
        Assert.True(await proxy.WaitForExitAsync(Deadline), "the proxy waits for the WebSocket until its drain timeout");
        Assert.Contains("every request in flight finished; exiting", proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Stopped hard", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_WebSocketHandshakeDuringTheGraceOnAnOpenConnection_IsServedThenClosedWhenTheGraceEnds()
    {
        await using var backend = await TestBackend.StartAsync(WebSocketEcho.ServeAsync);
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Lifetime:KeepAliveDrainGrace"] = "00:00:02",
            ["Lifetime:DrainTimeout"] = "00:05:00",
        });
        using var connection = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await connection.ConnectAsync(new IPEndPoint(IPAddress.Loopback, proxy.PublicPort));
        // One answer on it first: a connection still in the kernel's accept queue when the listener closes is reset.
        await connection.SendAsync("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        await ReceiveAnswerAsync(connection);

        // The connection is open before the drain; the handshake comes on it during the grace.
        proxy.Signal("TERM");
        Assert.True(await proxy.WaitForOutputAsync("Draining: new connections are no longer accepted", Deadline), proxy.Output);
        await connection.SendAsync(Encoding.ASCII.GetBytes(
            "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        var head = await ReceiveHeadAsync(connection);
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        Assert.DoesNotContain("Connection: close", head, StringComparison.OrdinalIgnoreCase);
        using var socket = WebSocket.CreateFromStream(new NetworkStream(connection), isServer: false, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
        Assert.Equal("during the grace", await WebSocketEcho.EchoAsync(socket, "during the grace"));

        Assert.True(await proxy.WaitForExitAsync(Deadline), "the WebSocket opened during the grace holds the drain until its timeout: " + proxy.Output);
        Assert.Contains("Draining: closed 1 upgraded connection(s) (WebSocket)", proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Stopped hard", proxy.Output, StringComparison.Ordinal);
    }

    private static async Task ReceiveAnswerAsync(Socket connection)
    {
        var head = await ReceiveHeadAsync(connection);
        Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal);
        var length = int.Parse(Regex.Match(head, @"Content-Length: (\d+)", RegexOptions.IgnoreCase).Groups[1].Value, CultureInfo.InvariantCulture);
        var body = new byte[length];
        for (var received = 0; received < length;)
        {
            var read = await connection.ReceiveAsync(body.AsMemory(received), SocketFlags.None).AsTask().WaitAsync(Deadline);
            Assert.True(read > 0, "the connection closed before the answer's body");
            received += read;
        }
    }

    private static async Task<string> ReceiveHeadAsync(Socket connection)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 16 * 1024 && !Encoding.ASCII.GetString([.. head]).EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await connection.ReceiveAsync(one, SocketFlags.None).WaitAsync(Deadline);
            Assert.True(read == 1, "the connection closed before the answer's head: " + Encoding.ASCII.GetString([.. head]));
            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. head]);
    }

    private static async Task<ClientWebSocket> ConnectAsync(TestCertificate certificate, int port, Version httpVersion)
    {
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = httpVersion;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var invoker = new HttpMessageInvoker(certificate.CreateHandler());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{port}/ws"), invoker, timeout.Token);
        return socket;
    }
}
