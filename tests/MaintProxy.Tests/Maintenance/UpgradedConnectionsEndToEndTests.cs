using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using MaintProxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Features;

namespace MaintProxy.Tests.Maintenance;

/// <summary>
/// WebSockets through the real proxy to a real Kestrel backend: they never finish by themselves, so
/// the switch must close the ones it covers, or the backend would keep hearing from clients.
/// </summary>
public sealed class UpgradedConnectionsEndToEndTests : EndToEndTest
{
    private protected override Func<HttpContext, Task> BackendHandler => EchoWebSocketAsync;

    [Fact]
    public async Task DownSh_ClosesWebSocketsBeforeItReturns_AndTheDrainEnds()
    {
        await using var proxy = await StartProxyAsync();
        using var socket = await ConnectAsync(proxy);
        Assert.Equal("before", await EchoAsync(socket, "before"));

        var down = await Scripts.DownAsync(proxy, "--drain=10");

        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
        Assert.Contains("Drained", down.Stdout, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => EchoAsync(socket, "after"));
        Assert.True(await proxy.WaitForOutputAsync("closed 1 upgraded connection(s)", TimeSpan.FromSeconds(5)), proxy.Output);
    }

    [Fact]
    public async Task ReadOnlyWindow_ClosesWebSockets_AndRefusesNewOnes()
    {
        // What a WebSocket carries may be writes (a Blazor Server or LiveView form, a SignalR call).
        await using var proxy = await StartProxyAsync();
        using var openedBefore = await ConnectAsync(proxy);
        Assert.Equal("before", await EchoAsync(openedBefore, "before"));

        var readOnly = await Scripts.DownAsync(proxy, "--read-only");

        Assert.True(readOnly.ExitCode == 0, readOnly.Stderr + readOnly.Stdout);
        await Assert.ThrowsAnyAsync<Exception>(() => EchoAsync(openedBefore, "after"));
        var refused = await Assert.ThrowsAnyAsync<WebSocketException>(() => ConnectAsync(proxy));
        Assert.Contains("503", refused.Message, StringComparison.Ordinal);
        Assert.Single(Backend.Requests);
    }

    private static async Task<ClientWebSocket> ConnectAsync(ProxyProcess proxy)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.PublicPort}/ws"), timeout.Token);
        return socket;
    }

    private static async Task<string> EchoAsync(WebSocket socket, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        if (received.MessageType == WebSocketMessageType.Close)
        {
            throw new WebSocketException("closed by the other side");
        }

        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    // The backend has no WebSocket middleware: the handshake by hand (RFC 6455, section 4.2.2), then echo.
    private static async Task EchoWebSocketAsync(HttpContext context)
    {
        var upgrade = context.Features.GetRequiredFeature<IHttpUpgradeFeature>();
        var key = context.Request.Headers["Sec-WebSocket-Key"].ToString();
        context.Response.StatusCode = StatusCodes.Status101SwitchingProtocols;
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "websocket";
#pragma warning disable CA5350 // SHA-1 is what the WebSocket handshake specifies; nothing here is secured by it
        context.Response.Headers.SecWebSocketAccept = Convert.ToBase64String(
            SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        await using var stream = await upgrade.UpgradeAsync();
        using var socket = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            // The proxy closed the connection: what the test is about.
        }
    }
}
