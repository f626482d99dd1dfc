using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>An allowed path pattern in front of php-fpm lets through what it names, never a script behind an encoded separator.</summary>
public sealed class PhpFpmAllowedPathsEndToEndTests : FastCgiEndToEndTest
{
    [Fact]
    public async Task AllowedPattern_DoesNotRunAScriptNamedBeforeAnEncodedSlash()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(10), new Dictionary<string, string>
        {
            ["Maintenance:AllowedPathPatterns:0"] = "^/[^/]+\\.css$",
        });
        var down = await Scripts.DownAsync(proxy);
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);

        // One segment as the proxy reads it; php-fpm gets SCRIPT_NAME /hello.php and PATH_INFO /site.css.
        foreach (var target in new[] { "/hello.php%2Fsite.css", "/hello.php%2fsite.css", "/hello.php%5Csite.css" })
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.True(response.StatusCode == 503, $"{target}: {response.StatusCode}");
            Assert.Equal("1", response.Header("X-Maintenance-Mode"));
        }
    }

    [Fact]
    public async Task AllowedPath_DuringAWindow_RunsThePathItNames_NotOneAnXOriginalUrlHeaderNames()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(10), new Dictionary<string, string>
        {
            ["Maintenance:AllowedPathPrefixes:0"] = "/routed.php",
        });
        const string Request = "GET /routed.php HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Original-URL: /admin/delete\r\nX-Rewrite-URL: /admin/delete\r\n\r\n";
        var before = await RawHttp.SendAsync(proxy.PublicPort, Request);
        Assert.Contains("\r\n/admin/delete", before.Text, StringComparison.Ordinal);

        var down = await Scripts.DownAsync(proxy);
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
        var during = await RawHttp.SendAsync(proxy.PublicPort, Request);

        Assert.Equal(200, during.StatusCode);
        Assert.Contains("\r\n/routed.php", during.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("/admin/delete", during.Text, StringComparison.Ordinal);
    }
}
