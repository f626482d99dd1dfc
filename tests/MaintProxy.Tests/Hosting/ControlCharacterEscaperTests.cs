using MaintProxy.Hosting;

namespace MaintProxy.Tests.Hosting;

public sealed class ControlCharacterEscaperTests
{
    [Theory]
    [InlineData("/plain/path?q=1", "/plain/path?q=1")]
    [InlineData("/a\nb", "/a\\x0Ab")]
    [InlineData("/a\r\n[12:00:00.000 WRN] forged", "/a\\x0D\\x0A[12:00:00.000 WRN] forged")]
    [InlineData("\u001b[31mred", "\\x1B[31mred")]
    [InlineData("tab\there", "tab\\x09here")]
    [InlineData("del\u007f c1\u009b", "del\\x7F c1\\x9B")]
    [InlineData("line\u2028sep", "line\\u2028sep")]
    [InlineData("café ☕", "café ☕")]
    public void Escape_WritesControlCharactersAsHex(string text, string expected) =>
        Assert.Equal(expected, ControlCharacterEscaper.Escape(text));

    [Fact]
    public void Escape_NothingToEscape_IsTheSameString()
    {
        var path = "/orders/42?page=2";

        Assert.Same(path, ControlCharacterEscaper.Escape(path));
    }
}
