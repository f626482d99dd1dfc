using System.Net;
using System.Net.Sockets;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.RequestLogging;

/// <summary>
/// A request Kestrel refuses itself (malformed, too large, too slow) never reaches the pipeline, yet it
/// gets its request-log line, as in nginx's access log: the status the client got, <c>refused</c> with a
/// few words of why, and the client's address. One line each, none forged, and a body Kestrel refuses
/// after the pipeline began (413) keeps its single <c>client-error</c> line.
/// </summary>
public sealed class KestrelRefusalLogEndToEndTests : EndToEndTest
{
    [Theory]
    [InlineData("GARBAGE\r\n\r\n", 400, "malformed request line")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n", 400, "malformed header")]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400, "no Host header")]
    [InlineData("GET /{long} HTTP/1.1\r\nHost: a\r\n\r\n", 414, "request line too long")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Big: {long}{long}{long}\r\n\r\n", 431, "headers too large")]
    [InlineData("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, "unknown HTTP version")]
    public async Task RequestKestrelRefuses_HasItsRequestLine(string request, int status, string reason)
    {
        await using var proxy = await StartProxyAsync();

        var answer = await SendRawAsync(proxy.PublicPort, request.Replace("{long}", new string('a', 16 * 1024), StringComparison.Ordinal));

        Assert.StartsWith($"HTTP/1.1 {status} ", answer, StringComparison.Ordinal);
        Assert.True(await proxy.WaitForOutputAsync($"INF] - - → {status} refused ({reason}) from 127.0.0.1", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Empty(Backend.Requests);
    }

    [Fact]
    public async Task RequestTheAdminListenerRefuses_NamesItsClient()
    {
        await using var proxy = await StartProxyAsync();

        var answer = await SendRawAsync(proxy.AdminPort, "GARBAGE\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.True(await proxy.WaitForOutputAsync("→ 400 refused (malformed request line)", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Contains("INF] - - → 400 refused (malformed request line) from 127.0.0.1", proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(" from -", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestRefusedOnAUnixSocketListener_SaysTheClientCameOverTheUnixSocket()
    {
        var socketPath = Dir.File("public.sock");
        await using var proxy = await StartProxyAsync(new Dictionary<string, string> { ["Kestrel:Endpoints:Public:Url"] = $"http://unix:{socketPath}" });
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        await socket.SendAsync(Encoding.ASCII.GetBytes("GARBAGE\r\n\r\n"));
        var answer = new byte[64];
        var read = await socket.ReceiveAsync(answer);

        Assert.StartsWith("HTTP/1.1 400 ", Encoding.ASCII.GetString(answer, 0, read), StringComparison.Ordinal);
        Assert.True(await proxy.WaitForOutputAsync("→ 400 refused (malformed request line)", TimeSpan.FromSeconds(10)), proxy.Output);
        var line = proxy.Output.Split('\n').Single(candidate => candidate.Contains(" refused ", StringComparison.Ordinal));
        Assert.EndsWith("→ 400 refused (malformed request line) from unix:", line.TrimEnd('\r'), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestHeadTooSlow_Logs408Refused()
    {
        await using var proxy = await StartProxyAsync(new Dictionary<string, string> { ["Kestrel:Limits:RequestHeadersTimeout"] = "00:00:01" });

        var answer = await SendRawAsync(proxy.PublicPort, "GET / HTTP/1.1\r\nHost: a\r\n");

        Assert.StartsWith("HTTP/1.1 408 ", answer, StringComparison.Ordinal);
        Assert.True(await proxy.WaitForOutputAsync("INF] - - → 408 refused (request head too slow) from 127.0.0.1", TimeSpan.FromSeconds(10)), proxy.Output);
    }

    [Fact]
    public async Task ForgedLineInAMalformedRequest_IsOneRefusedLine_NothingForged()
    {
        await using var proxy = await StartProxyAsync();
        const int Requests = 20;

        for (var i = 0; i < Requests; i++)
        {
            await SendRawAsync(proxy.PublicPort, "GET /x\r\n[00:00:00.000 WRN] forged HTTP/1.1\r\nHost: a\r\n\r\n");
        }

        Assert.True(await proxy.WaitForOutputAsync("refused", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.True(
            await Eventually.TrueAsync(() => CountOf(proxy.Output, "→ 400 refused (malformed request line) from 127.0.0.1") == Requests, TimeSpan.FromSeconds(10)),
            proxy.Output);
        Assert.Equal(Requests, CountOf(proxy.Output, " refused "));
        Assert.DoesNotContain("forged", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BodyOverTheLimit_IsOneClientErrorLine_NotAlsoARefusal()
    {
        await using var proxy = await StartProxyAsync(new Dictionary<string, string> { ["Kestrel:Limits:MaxRequestBodySize"] = "1000" });

        var answer = await SendRawAsync(proxy.PublicPort, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n");
        await SendRawAsync(proxy.PublicPort, "GARBAGE\r\n\r\n"); // a refusal after it: its line says the first is done with

        Assert.StartsWith("HTTP/1.1 413 ", answer, StringComparison.Ordinal);
        Assert.True(await proxy.WaitForOutputAsync("→ 400 refused (malformed request line)", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Contains("POST /upload → 413 client-error", proxy.Output, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(proxy.Output, " refused "));
    }

    [Fact]
    public async Task UnreadBodyOfAMaintenanceAnswer_IsOneLine_NotAlsoA413OrA400()
    {
        await using var proxy = await StartProxyAsync(new Dictionary<string, string> { ["Kestrel:Limits:MaxRequestBodySize"] = "1000000" });
        var down = await Scripts.DownAsync(proxy);
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);

        // Over the limit: Kestrel reads the body after the answer, to keep the connection, and refuses it there.
        var overLimit = await SendRawAsync(proxy.PublicPort, "POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 50000000\r\nExpect: 100-continue\r\n\r\n");
        // Under it: the client waits for a 100 Continue that never comes, reads the 503 and leaves.
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, proxy.PublicPort));
            await socket.SendAsync("POST /small HTTP/1.1\r\nHost: a\r\nContent-Length: 500000\r\nExpect: 100-continue\r\n\r\n"u8.ToArray());
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var received = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while (!Encoding.ASCII.GetString(received.ToArray()).Contains("Retry after", StringComparison.Ordinal)
                && (read = await socket.ReceiveAsync(buffer, cts.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }

            Assert.StartsWith("HTTP/1.1 503 ", Encoding.ASCII.GetString(received.ToArray()), StringComparison.Ordinal);
        }

        Assert.True(await proxy.WaitForOutputAsync("POST /small → 503 maintenance", TimeSpan.FromSeconds(10)), proxy.Output);
        await Task.Delay(500); // the client's leaving reaches Kestrel
        await SendRawAsync(proxy.PublicPort, "GARBAGE\r\n\r\n"); // a refusal after them: its line says they are done with

        Assert.StartsWith("HTTP/1.1 503 ", overLimit, StringComparison.Ordinal);
        Assert.True(await proxy.WaitForOutputAsync("→ 400 refused (malformed request line)", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Contains("POST /big → 503 maintenance", proxy.Output, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(proxy.Output, " refused "));
        Assert.Empty(Backend.Requests);
    }

    [Fact]
    public async Task Http2HeaderListTooLong_Logs431RefusedWithTheClient()
    {
        await using var proxy = await StartProxyAsync(new Dictionary<string, string> { ["Kestrel:Endpoints:Public:Protocols"] = "Http2" });

        // HttpClient keeps to the server's SETTINGS_MAX_HEADER_LIST_SIZE; other clients do not.
        var answer = await Http2HeadersOnlyAsync(proxy.PublicPort, fields: 6, fieldLength: 8 * 1024);

        Assert.True(RawHttp.Contains(answer, "431"u8.ToArray()), Encoding.ASCII.GetString(answer));
        Assert.True(await proxy.WaitForOutputAsync("INF] - - → 431 refused (headers too large) from 127.0.0.1", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Empty(Backend.Requests);
    }

    /// <summary>
    /// An HTTP/2 GET with <paramref name="fields"/> headers of <paramref name="fieldLength"/> bytes (HPACK
    /// literals, no Huffman), in a HEADERS frame and CONTINUATION frames; returns what came back in 5 s.
    /// </summary>
    private static async Task<byte[]> Http2HeadersOnlyAsync(int port, int fields, int fieldLength)
    {
        var block = new List<byte> { 0x82, 0x86, 0x84 }; // :method GET, :scheme http, :path / (static table)
        AppendLiteral(block, [0x01], "127.0.0.1"); // :authority, name from the static table
        for (var i = 0; i < fields; i++)
        {
            block.Add(0x00);
            AppendString(block, $"x-big-{i}");
            AppendString(block, new string('a', fieldLength));
        }

        var request = new List<byte>("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        AppendFrame(request, type: 0x4, flags: 0, stream: 0, []); // SETTINGS, none changed
        const int MaxFrame = 16 * 1024;
        for (var offset = 0; offset < block.Count; offset += MaxFrame)
        {
            var last = offset + MaxFrame >= block.Count;
            var first = offset == 0;
            var flags = (byte)((first ? 0x1 : 0) | (last ? 0x4 : 0)); // END_STREAM on HEADERS, END_HEADERS on the last
            AppendFrame(request, type: first ? (byte)0x1 : (byte)0x9, flags, stream: 1, block.Skip(offset).Take(MaxFrame).ToArray());
        }

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await socket.SendAsync(request.ToArray());
        using var received = new MemoryStream();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while (!RawHttp.Contains(received.ToArray(), "431"u8.ToArray()) && (read = await socket.ReceiveAsync(buffer, cts.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return received.ToArray();
    }

    private static void AppendLiteral(List<byte> block, byte[] nameIndex, string value)
    {
        block.AddRange(nameIndex);
        AppendString(block, value);
    }

    private static void AppendString(List<byte> block, string text)
    {
        // HPACK integer with a 7-bit prefix, H = 0 (no Huffman).
        var length = text.Length;
        if (length < 127)
        {
            block.Add((byte)length);
        }
        else
        {
            block.Add(127);
            for (length -= 127; length >= 128; length >>= 7)
            {
                block.Add((byte)((length & 0x7F) | 0x80));
            }

            block.Add((byte)length);
        }

        block.AddRange(Encoding.ASCII.GetBytes(text));
    }

    private static void AppendFrame(List<byte> frames, byte type, byte flags, int stream, byte[] payload)
    {
        frames.AddRange([(byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, type, flags]);
        frames.AddRange([(byte)(stream >> 24), (byte)(stream >> 16), (byte)(stream >> 8), (byte)stream]);
        frames.AddRange(payload);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Sends the bytes and reads the answer until the server closes (it does after a refusal), or the connection is reset.</summary>
    private static async Task<string> SendRawAsync(int port, string request)
    {
        try
        {
            return Encoding.ASCII.GetString(await RawHttp.ExchangeAsync(port, Encoding.ASCII.GetBytes(request)));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return "";
        }
    }
}
