using System.Net;
using System.Text.Json;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>The built proxy in front of a real php-fpm 8.2, its cluster with a front controller.</summary>
public sealed class PhpFpmFrontControllerEndToEndTests(PhpFpmFrontControllerFixture fixture) : IClassFixture<PhpFpmFrontControllerFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task ActiveHealthCheck_PingPathReachesPhpFpm_DestinationIsHealthy()
    {
        const string Probed = "Probing destination `app` on cluster `app` completed with the response code";

        Assert.True(await Eventually.TrueAsync(() => Count(fixture.Proxy.Output, Probed) >= 3, TimeSpan.FromSeconds(15)), fixture.Proxy.Output);

        var output = fixture.Proxy.Output;
        Assert.Equal(Count(output, Probed), Count(output, Probed + " `200`"));
        Assert.Contains("Active health state of destination `app` on cluster `app` is set to 'Healthy'", output, StringComparison.Ordinal);
        Assert.DoesNotContain("'Unhealthy'", output, StringComparison.Ordinal);
        Assert.Contains("GET /ping 200", FastCgiPeer.AccessLog(fixture.Dir));
        using var response = await Client.GetAsync("/blog/2024/hello");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Get_PathNamingNoScript_RunsTheFrontController()
    {
        await AssertRunsAsync("/blog/2024/hello?page=2", "/front.php");
    }

    [Theory]
    [InlineData("/status?full")]
    [InlineData("/ping")]
    public async Task Get_PhpFpmPagePath_RunsTheFrontControllerNotPhpFpmsPage(string target)
    {
        using var response = await Client.GetAsync(target);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("front: no route for ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_FolderHoldingTheIndexFile_RunsItsIndexNotTheFrontController()
    {
        await AssertRunsAsync("/wp-admin/?page=1", "/wp-admin/index.php");
    }

    [Fact]
    public async Task Get_PathEndingInSlashWithoutAFolder_RunsTheFrontController()
    {
        await AssertRunsAsync("/blog/2024/hello/", "/front.php");
    }

    /// <summary>The target is answered 200 by the given script, which saw it as its request URI.</summary>
    private async Task AssertRunsAsync(string target, string script)
    {
        using var response = await Client.GetAsync(target);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(script, json.GetProperty("script").GetString());
        Assert.Equal(target, json.GetProperty("uri").GetString());
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
