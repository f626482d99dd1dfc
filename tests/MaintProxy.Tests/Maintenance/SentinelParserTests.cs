using System.Text;
using MaintProxy.Maintenance;

namespace MaintProxy.Tests.Maintenance;

public sealed class SentinelParserTests
{
    [Fact]
    public void Parse_StartingWithAByteOrderMark_ReadsTheWindow()
    {
        var (windows, error) = SentinelParser.Parse([0xEF, 0xBB, 0xBF, .. "{\"site\":\"other.example\"}\r\n"u8]);

        Assert.Null(error);
        Assert.Equal("other.example", Assert.Single(windows).Site);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("   \n\t\n")]
    public void Parse_Empty_IsEverythingDownWithDefaults(string content)
    {
        var (windows, error) = SentinelParser.Parse(Encoding.UTF8.GetBytes(content));

        Assert.Same(MaintenanceWindow.Everything, Assert.Single(windows));
        Assert.Null(error);
    }

    [Fact]
    public void Parse_JsonLine_ReadsTheWindow()
    {
        var (windows, error) = SentinelParser.Parse("""{"id":"a1","reason":"schema upgrade","retryAfterSeconds":60,"unknown":true}"""u8);

        var window = Assert.Single(windows);
        Assert.Null(error);
        Assert.Equal(("a1", "schema upgrade", 60), (window.Id, window.Reason, window.RetryAfterSeconds));
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("{\"reason\": ")]
    [InlineData("null")]
    [InlineData("{\"retryAfterSeconds\":\"soon\"}")]
    [InlineData("{\"retryAfterSeconds\":-1}")]
    [InlineData("{\"secretSha256\":\"ababababababababababababababababababababababababababababababababab\"}")]
    [InlineData("{\"site\":\"shop.example.org:8080\"}")]
    public void Parse_Garbage_FailsClosedWithAnError(string content)
    {
        var (windows, error) = SentinelParser.Parse(Encoding.UTF8.GetBytes(content));

        Assert.Same(MaintenanceWindow.Everything, Assert.Single(windows));
        Assert.NotNull(error);
        Assert.Contains("line 1", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"Site\":\"shop.example.org\"}", "'Site' is not 'site'")]
    [InlineData("{\"site\":\"shop.example.org\",\"READONLY\":true}", "'READONLY' is not 'readOnly'")]
    [InlineData("{\"site\":\"shop.example.org\",\"site\":null}", "not a valid window")]
    public void Parse_KeyInAnotherCaseOrTwice_FailsClosedNamingIt(string content, string expected)
    {
        var (windows, error) = SentinelParser.Parse(Encoding.UTF8.GetBytes(content));

        Assert.Same(MaintenanceWindow.Everything, Assert.Single(windows));
        Assert.NotNull(error);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("shop.example.org", "shop.example.org")]
    [InlineData("Bücher.Example", "xn--bcher-kva.example")]
    [InlineData("App", "app")]
    public void Parse_Site_IsAlsoReadAsAHostName(string site, string expected)
    {
        var (windows, error) = SentinelParser.Parse(Encoding.UTF8.GetBytes($"{{\"site\":\"{site}\"}}"));

        var window = Assert.Single(windows);
        Assert.Null(error);
        Assert.Equal((site, expected), (window.Site, window.SiteHost));
    }
}
