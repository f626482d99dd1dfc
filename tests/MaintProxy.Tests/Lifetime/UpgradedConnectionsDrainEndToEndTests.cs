using System.Net;
using System.Net.WebSockets;
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
