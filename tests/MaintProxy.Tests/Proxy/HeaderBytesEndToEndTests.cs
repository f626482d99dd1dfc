using System.Net;
using System.Net.Sockets;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// Header values that are not ASCII pass through as the bytes they were, both ways, as with nginx:
/// a UTF-8 file name in a backend's <c>Content-Disposition</c> is not a 502, and a client's UTF-8 or
/// Latin-1 header reaches the backend unchanged.
/// </summary>
public sealed class HeaderBytesEndToEndTests : IAsyncLifetime
{
    private static readonly byte[] DoubleEncodedDisposition = "Content-Disposition: attachment; filename=\"r\u00c3\u00a9sum\u00c3\u00a9.pdf\""u8.ToArray();
    private static readonly byte[] ClientHeader = [.. "X-Req: caf"u8, 0xC3, 0xA9, .. " lat"u8, 0xE9];

    private readonly TempDirectory _dir = new();
    private readonly TcpListener _backend = new(IPAddress.Loopback, 0);
    private byte[] _backendSaw = [];

    public Task InitializeAsync()
    {
        _backend.Start();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _backend.Stop();
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task NonAsciiHeaders_PassThroughAsBytes_BothWays()
    {
        var responseHeaders = new byte[][] { [.. "Content-Disposition: attachment; filename=\"r"u8, 0xC3, 0xA9, .. "sum"u8, 0xC3, 0xA9, .. ".pdf\""u8], [.. "X-Latin: caf"u8, 0xE9] };
        var answering = AnswerOnceAsync(responseHeaders);
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, $"http://127.0.0.1:{((IPEndPoint)_backend.LocalEndpoint).Port}");

        var answer = await RawHttp.ExchangeAsync(proxy.PublicPort, RawHttp.Head("GET /file HTTP/1.1", ClientHeader));
        await answering;

        Assert.StartsWith("HTTP/1.1 200", System.Text.Encoding.Latin1.GetString(answer), StringComparison.Ordinal);
        Assert.True(RawHttp.Contains(answer, responseHeaders[0]), System.Text.Encoding.Latin1.GetString(answer));
        Assert.True(RawHttp.Contains(answer, responseHeaders[1]), System.Text.Encoding.Latin1.GetString(answer));
        Assert.True(RawHttp.Contains(_backendSaw, ClientHeader), System.Text.Encoding.Latin1.GetString(_backendSaw));
        Assert.False(RawHttp.Contains(answer, DoubleEncodedDisposition), "no double encoding");
    }

    /// <summary>A backend that answers one request with the given header lines, recording the request head.</summary>
    private async Task AnswerOnceAsync(byte[][] headerLines)
    {
        using var connection = await _backend.AcceptSocketAsync();
        var head = new List<byte>();
        var buffer = new byte[4096];
        while (!RawHttp.Contains([.. head], "\r\n\r\n"u8.ToArray()))
        {
            var read = await connection.ReceiveAsync(buffer);
            Assert.True(read > 0, "the proxy closed before sending its request");
            head.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        _backendSaw = [.. head];
        var response = new List<byte>("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"u8.ToArray());
        foreach (var line in headerLines)
        {
            response.AddRange(line);
            response.AddRange("\r\n"u8.ToArray());
        }

        response.AddRange("\r\nok"u8.ToArray());
        await connection.SendAsync(response.ToArray());
    }
}
