using System.Text;
using MaintProxy.FastCgi;

namespace MaintProxy.Tests.FastCgi;

public sealed class CgiResponseHeaderParserTests
{
    [Fact]
    public void TryAdd_HeadersSplitAcrossChunks_FindsTheEndAndTheBodyStart()
    {
        var parser = new CgiResponseHeaderParser();
        var text = "Content-Type: text/plain\r\nX-A: 1\r\n\r\nbody";
        var chunks = new[] { text[..10], text[10..25], text[25..34], text[34..] };
        FastCgiResponseHead? head = null;
        var consumedInLast = -1;
        var index = 0;
        for (; index < chunks.Length; index++)
        {
            if (parser.TryAdd(Encoding.ASCII.GetBytes(chunks[index]), out var consumed, out head))
            {
                consumedInLast = consumed;
                break;
            }
        }

        Assert.NotNull(head);
        Assert.Equal(3, index);
        Assert.Equal("body", chunks[index][consumedInLast..]);
        Assert.Equal(200, head.StatusCode);
        Assert.Equal([new("Content-Type", "text/plain"), new("X-A", "1")], head.Headers);
    }

    [Fact]
    public void TryAdd_BareLineFeeds_Accepted()
    {
        var head = ParseWhole("Status: 404 Not Here\nContent-Type: text/html\n\n<p>");

        Assert.Equal(404, head.StatusCode);
        Assert.Equal("Not Here", head.ReasonPhrase);
        Assert.DoesNotContain(head.Headers, h => h.Key == "Status");
    }

    [Fact]
    public void TryAdd_LocationWithoutStatus_Is302()
    {
        var head = ParseWhole("Location: /elsewhere\r\n\r\n");

        Assert.Equal(302, head.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>("Location", "/elsewhere"), head.Headers);
    }

    [Fact]
    public void TryAdd_LocationWithStatus_KeepsTheStatus()
    {
        Assert.Equal(301, ParseWhole("Status: 301\r\nLocation: /x\r\n\r\n").StatusCode);
    }

    [Fact]
    public void TryAdd_RepeatedHeaders_KeepsEveryOne()
    {
        var head = ParseWhole("Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n");

        Assert.Equal(2, head.Headers.Count(h => h.Key == "Set-Cookie"));
    }

    [Theory]
    [InlineData("no colon here\r\n\r\n")]
    [InlineData("Bad Name: x\r\n\r\n")]
    [InlineData("Status: abc\r\n\r\n")]
    [InlineData("Status: 99\r\n\r\n")]
    [InlineData("Status: 101 Switching Protocols\r\n\r\n")]
    [InlineData("Status: 600\r\n\r\n")]
    [InlineData(": no name\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n")]
    public void TryAdd_Garbled_Throws(string text)
    {
        Assert.Throws<FastCgiProtocolException>(() => ParseWhole(text));
    }

    [Fact]
    public void TryAdd_NoEndWithinTheLimit_Throws()
    {
        var parser = new CgiResponseHeaderParser(maxHeaderBytes: 100);

        Assert.Throws<FastCgiProtocolException>(() =>
        {
            for (var i = 0; i < 20; i++)
            {
                parser.TryAdd("X-Long: aaaaaaaa\r\n"u8, out _, out _);
            }
        });
    }

    private static FastCgiResponseHead ParseWhole(string text)
    {
        var parser = new CgiResponseHeaderParser();
        Assert.True(parser.TryAdd(Encoding.ASCII.GetBytes(text), out _, out var head));
        return head;
    }
}
