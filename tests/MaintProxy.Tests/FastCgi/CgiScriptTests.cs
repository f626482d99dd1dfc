using System.Net;
using MaintProxy.FastCgi;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

public sealed class CgiScriptTests
{
    [Theory]
    [InlineData("/env.php\n")]
    [InlineData("/env.php/tail\n")]
    public void TryResolve_TrailingNewline_IsNoScript(string path)
    {
        var settings = CgiParamsBuilderTests.Settings(("FastCGI.FrontController", "/index.php"));

        Assert.True(CgiScript.TryResolve(path, settings, probe: false, out var script, out _));

        Assert.Equal(new CgiScript("/index.php", ""), script);
    }

    [Theory]
    [InlineData(@"(.+?\.php)(/.*)?", "/a.php.txt")]
    [InlineData(@"^(.+?\.php)(/.*)?", "/a.php.txt")]
    [InlineData(@"(.+\.php)(/.*)?$", "/a.php\n")]
    public void TryResolve_ConfiguredPatternMatchingPartOfThePath_IsNoScript(string pattern, string path)
    {
        var settings = CgiParamsBuilderTests.Settings(("FastCGI.SplitPathInfo", pattern), ("FastCGI.FrontController", "/index.php"));

        Assert.True(CgiScript.TryResolve(path, settings, probe: false, out var script, out _));

        Assert.Equal(new CgiScript("/index.php", ""), script);
    }

    [Fact]
    public void TryResolve_ConfiguredPatternWithoutAnchors_MatchesTheWholePath()
    {
        var settings = CgiParamsBuilderTests.Settings(("FastCGI.SplitPathInfo", @"(.+?\.php)(/.*)?"));

        Assert.True(CgiScript.TryResolve("/x.phtml/a.php/b", settings, probe: false, out var script, out _));

        Assert.Equal(new CgiScript("/x.phtml/a.php", "/b"), script);
    }

    [Theory]
    [InlineData("//env.php", "")]
    [InlineData("/a//env.php/tail", "")]
    [InlineData("/docs//", "")]
    [InlineData("//env.php", "/index.php")]
    public void TryResolve_ScriptNameWithAnEmptySegment_IsNotFound(string path, string frontController)
    {
        var settings = CgiParamsBuilderTests.Settings(("FastCGI.FrontController", frontController));

        Assert.False(CgiScript.TryResolve(path, settings, probe: false, out _, out var refusal));

        Assert.Equal(HttpStatusCode.NotFound, refusal);
    }

    [Fact]
    public void TryResolve_EmptySegmentInThePathInfo_RunsTheScript()
    {
        Assert.True(CgiScript.TryResolve("/env.php//tail", CgiParamsBuilderTests.Settings(), probe: false, out var script, out _));

        Assert.Equal(new CgiScript("/env.php", "//tail"), script);
    }

    [Theory]
    [InlineData("/status")]
    [InlineData("/ping")]
    [InlineData("/favicon.ico")]
    [InlineData("/env.php\n")]
    public void TryResolve_PathNamingNoScriptWithoutFrontController_IsNotFound(string path)
    {
        Assert.False(CgiScript.TryResolve(path, CgiParamsBuilderTests.Settings(), probe: false, out _, out var refusal));

        Assert.Equal(HttpStatusCode.NotFound, refusal);
    }

    [Theory]
    [InlineData("", "/ping", "/ping", "")]
    [InlineData("/index.php", "/ping", "/ping", "")]
    [InlineData("/index.php", "/health.php/deep", "/health.php", "/deep")]
    [InlineData("/index.php", "/", "/index.php", "")]
    [InlineData("", "/", "/index.php", "")]
    public void TryResolve_HealthProbe_PathNamingNoScriptGoesAsItIs(string frontController, string path, string scriptName, string pathInfo)
    {
        var settings = CgiParamsBuilderTests.Settings(("FastCGI.FrontController", frontController));

        Assert.True(CgiScript.TryResolve(path, settings, probe: true, out var script, out _));

        Assert.Equal(new CgiScript(scriptName, pathInfo), script);
    }

    [Theory]
    [InlineData("/wp-admin/", "/wp-admin/index.php")]
    [InlineData("/wp-admin/network/", "/front.php")]
    [InlineData("/empty/", "/front.php")]
    [InlineData("/2024/05/hello/", "/front.php")]
    [InlineData("/wp-admin", "/front.php")]
    public void TryResolve_FrontController_FolderHoldingTheIndexFileRunsIt(string path, string scriptName)
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.File("wp-admin/network"));
        Directory.CreateDirectory(root.File("empty"));
        File.WriteAllText(root.File("wp-admin/index.php"), "");
        var metadata = new Dictionary<string, string> { ["FastCGI.DocumentRoot"] = root.Path, ["FastCGI.FrontController"] = "/front.php" };
        Assert.True(FastCgiClusterSettings.TryParse("c", metadata, out var settings, out var error), error);

        Assert.True(CgiScript.TryResolve(path, settings, probe: false, out var script, out _));

        Assert.Equal(new CgiScript(scriptName, ""), script);
    }
}
