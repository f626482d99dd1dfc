using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>A WebSocket echo for a <see cref="TestBackend"/>, and the client's side of one exchange.</summary>
internal static class WebSocketEcho
{
    /// <summary>Sends <paramref name="text"/> and returns the echo; throws when the other side closed.</summary>
    public static async Task<string> EchoAsync(WebSocket socket, string text)
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
    public static async Task ServeAsync(HttpContext context)
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
            // The proxy closed the connection: what the tests are about.
        }
    }
}
