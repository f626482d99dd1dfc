using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>A backend answer no client could read is the backend's failure: a 502, logged <c>proxy-error</c>, never maintenance.</summary>
public sealed class GarbledBackendAnswerEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly RawBackend _backend = new();

    public void Dispose()
    {
        _backend.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task StatusBelow100_Gets502_LoggedAsProxyError_AndTheNextRequestIsForwarded()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, _backend.Url);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var answering = _backend.AnswerOnceAsync("HTTP/1.1 099 Odd\r\nContent-Length: 2\r\nX-App: dropped\r\nConnection: close\r\n\r\nok"u8.ToArray());
        using var response = await client.GetAsync(proxy.PublicUrl + "/orders");
        await answering;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Maintenance-Mode"));
        Assert.False(response.Headers.Contains("X-App"));
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.True(await proxy.WaitForOutputAsync("GET /orders → 502 proxy-error", TimeSpan.FromSeconds(5)), proxy.Output);
        Assert.Contains("answered with status 99, below 100", proxy.Output, StringComparison.Ordinal);

        answering = _backend.AnswerOnceAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
        using var next = await client.GetAsync(proxy.PublicUrl + "/orders");
        await answering;
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal("ok", await next.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GarbageInsteadOfAStatusLine_Gets502_LoggedAsProxyError_NotMaintenance()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, _backend.Url);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var answering = _backend.AnswerOnceAsync("GARBAGE NOT HTTP\r\n\r\n"u8.ToArray());
        using var response = await client.GetAsync(proxy.PublicUrl + "/orders");
        await answering;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Maintenance-Mode"));
        Assert.DoesNotContain("maintenance", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.True(await proxy.WaitForOutputAsync("GET /orders → 502 proxy-error", TimeSpan.FromSeconds(5)), proxy.Output);
        Assert.Contains("invalid status line", proxy.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-some-bytes")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\nxx\r\n0\r\n\r\n")]
    public async Task BodyCutShort_TheClientConnectionIsCut_NeverAShortCompleteAnswer(string answer)
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, _backend.Url);
        var answering = _backend.AnswerOnceAsync(System.Text.Encoding.ASCII.GetBytes(answer));

        var text = await ReceiveUntilClosedOrResetAsync(proxy.PublicPort, RawHttp.Head("GET /download HTTP/1.1"));
        await answering;

        // A 502 when the framing fails before the answer began (all of it came in one read), else the 200 cut off.
        Assert.True(text.StartsWith("HTTP/1.1 502", StringComparison.Ordinal) || (text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) && !IsComplete(text)), text);
        Assert.DoesNotContain("X-Maintenance-Mode", text, StringComparison.OrdinalIgnoreCase);
        var status = text.Substring("HTTP/1.1 ".Length, 3);
        Assert.True(await proxy.WaitForOutputAsync($"GET /download → {status} proxy-error", TimeSpan.FromSeconds(5)), proxy.Output);

        answering = _backend.AnswerOnceAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal("ok", await client.GetStringAsync(proxy.PublicUrl + "/next"));
        await answering;
    }

    [Fact]
    public async Task BodyAfterTheAnswerOnAKeptConnection_IsNotReadAsTheNextAnswer()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, _backend.Url);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // A body sent to a HEAD, then the connection kept: its bytes wait where the next answer would be read.
        var keeping = _backend.AnswerKeepingConnectionAsync("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nHTTP/1.1 418"u8.ToArray());
        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, proxy.PublicUrl + "/file")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        using var kept = await keeping;

        var answering = _backend.AnswerOnceAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
        using var next = await client.GetAsync(proxy.PublicUrl + "/next");
        await answering.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal("ok", await next.Content.ReadAsStringAsync());
    }

    private static async Task<string> ReceiveUntilClosedOrResetAsync(int port, byte[] request)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        await socket.SendAsync(request, cts.Token);
        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, cts.Token)) > 0)
            {
                received.AddRange(buffer.AsSpan(0, read).ToArray());
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
            // A reset: what arrived before it is the answer.
        }

        return System.Text.Encoding.ASCII.GetString([.. received]);
    }

    private static bool IsComplete(string response)
    {
        var headEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var body = response[(headEnd + 4)..];
        return response.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase)
            ? body.EndsWith("0\r\n\r\n", StringComparison.Ordinal)
            : response.Contains("Content-Length: 100", StringComparison.Ordinal) && body.Length >= 100;
    }
}
