using MaintProxy.FastCgi;

namespace MaintProxy.Tests.FastCgi;

public sealed class CgiScriptTests
{
    [Theory]
    [InlineData("/env.php\n")]
    [InlineData("/env.php/tail\n")]
    public void TryResolve_TrailingNewline_IsNoScript(string path)
    {
        var settings = CgiParamsBuilderTests.Settings(("FastCGI.FrontController", "/index.php"));

        Assert.True(CgiScript.TryResolve(path, settings, out var script));

        Assert.Equal(new CgiScript("/index.php", ""), script);
    }

    [Theory]
    [InlineData(@"(.+?\.php)(/.*)?", "/a.php.txt")]
    [InlineData(@"^(.+?\.php)(/.*)?", "/a.php.txt")]
    [InlineData(@"(.+\.php)(/.*)?$", "/a.php\n")]
    public void TryResolve_ConfiguredPatternMatchingPartOfThePath_IsNoScript(string pattern, string path)
    {
        var settings = CgiParamsBuilderTests.Settings(("FastCGI.SplitPathInfo", pattern), ("FastCGI.FrontController", "/index.php"));

        Assert.True(CgiScript.TryResolve(path, settings, out var script));

        Assert.Equal(new CgiScript("/index.php", ""), script);
    }

    [Fact]
    public void TryResolve_ConfiguredPatternWithoutAnchors_MatchesTheWholePath()
    {
        var settings = CgiParamsBuilderTests.Settings(("FastCGI.SplitPathInfo", @"(.+?\.php)(/.*)?"));

        Assert.True(CgiScript.TryResolve("/x.phtml/a.php/b", settings, out var script));

        Assert.Equal(new CgiScript("/x.phtml/a.php", "/b"), script);
    }
}
