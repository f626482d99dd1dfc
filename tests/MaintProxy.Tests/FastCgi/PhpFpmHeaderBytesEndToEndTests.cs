using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// Header values that are not ASCII pass between the client and PHP as the bytes they were: a UTF-8
/// file name from <c>header()</c> is not a 502, and PHP's <c>$_SERVER['HTTP_…']</c> holds the client's bytes.
/// </summary>
public sealed class PhpFpmHeaderBytesEndToEndTests(PhpFpmFixture fixture) : IClassFixture<PhpFpmFixture>
{
    [Fact]
    public async Task NonAsciiHeaders_PassThroughAsBytes_BothWays()
    {
        byte[] clientHeader = [.. "X-Req: caf"u8, 0xC3, 0xA9, .. " lat"u8, 0xE9];

        var answer = await RawHttp.ExchangeAsync(fixture.Proxy.PublicPort, RawHttp.Head("GET /headers.php HTTP/1.1", clientHeader));

        var text = Encoding.Latin1.GetString(answer);
        Assert.StartsWith("HTTP/1.1 200", text, StringComparison.Ordinal);
        Assert.True(RawHttp.Contains(answer, [.. "Content-Disposition: attachment; filename=\"r"u8, 0xC3, 0xA9, .. "sum"u8, 0xC3, 0xA9, .. ".pdf\""u8]), text);
        Assert.True(RawHttp.Contains(answer, [.. "X-Latin: caf"u8, 0xE9]), text);
        Assert.Contains("\r\n636166c3a9206c6174e9\r\n", text, StringComparison.Ordinal);
    }
}
