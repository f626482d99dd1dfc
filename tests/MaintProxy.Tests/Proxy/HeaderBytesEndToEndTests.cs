using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// Header values that are not ASCII pass through as the bytes they were, both ways, as with nginx:
/// a UTF-8 file name in a backend's <c>Content-Disposition</c> is not a 502, and a client's UTF-8 or
/// Latin-1 header reaches the backend unchanged.
/// </summary>
public sealed class HeaderBytesEndToEndTests : IDisposable
{
    private static readonly byte[] DoubleEncodedDisposition = "Content-Disposition: attachment; filename=\"r\u00c3\u00a9sum\u00c3\u00a9.pdf\""u8.ToArray();
    private static readonly byte[] ClientHeader = [.. "X-Req: caf"u8, 0xC3, 0xA9, .. " lat"u8, 0xE9];

    private readonly TempDirectory _dir = new();
    private readonly RawBackend _backend = new();

    public void Dispose()
    {
        _backend.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task NonAsciiHeaders_PassThroughAsBytes_BothWays()
    {
        var responseHeaders = new byte[][] { [.. "Content-Disposition: attachment; filename=\"r"u8, 0xC3, 0xA9, .. "sum"u8, 0xC3, 0xA9, .. ".pdf\""u8], [.. "X-Latin: caf"u8, 0xE9] };
        var answering = _backend.AnswerOnceAsync(Answer(responseHeaders));
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, _backend.Url);

        var answer = await RawHttp.ExchangeAsync(proxy.PublicPort, RawHttp.Head("GET /file HTTP/1.1", ClientHeader));
        var backendSaw = await answering;

        Assert.StartsWith("HTTP/1.1 200", System.Text.Encoding.Latin1.GetString(answer), StringComparison.Ordinal);
        Assert.True(RawHttp.Contains(answer, responseHeaders[0]), System.Text.Encoding.Latin1.GetString(answer));
        Assert.True(RawHttp.Contains(answer, responseHeaders[1]), System.Text.Encoding.Latin1.GetString(answer));
        Assert.True(RawHttp.Contains(backendSaw, ClientHeader), System.Text.Encoding.Latin1.GetString(backendSaw));
        Assert.False(RawHttp.Contains(answer, DoubleEncodedDisposition), "no double encoding");
    }

    /// <summary>A 200 with the given header lines and a body of "ok".</summary>
    private static byte[] Answer(byte[][] headerLines)
    {
        var response = new List<byte>("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"u8.ToArray());
        foreach (var line in headerLines)
        {
            response.AddRange(line);
            response.AddRange("\r\n"u8.ToArray());
        }

        response.AddRange("\r\nok"u8.ToArray());
        return [.. response];
    }
}
