using System.Diagnostics;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// A CONNECT tunnel and <c>OPTIONS *</c> cannot be passed on by a reverse proxy: they get a 400 from
/// the proxy, as from nginx, logged with their target, and never reach the backend.
/// </summary>
public sealed class UnforwardableRequestEndToEndTests : EndToEndTest
{
    [Theory]
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "CONNECT example.com:443 → 400 local")]
    [InlineData("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", "OPTIONS * → 400 local")]
    public async Task UnforwardableRequest_Gets400_NotAProxyErrorNorAnotherRequest(string request, string logLine)
    {
        await using var proxy = await StartProxyAsync();

        var answer = await RawHttp.SendAsync(proxy.PublicPort, request);
        var afterwards = await RawHttp.SendAsync(proxy.PublicPort, "OPTIONS /x HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(400, answer.StatusCode);
        Assert.True(await proxy.WaitForOutputAsync(logLine, TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.DoesNotContain("proxy-error", proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("WRN", proxy.Output, StringComparison.Ordinal);
        Assert.Equal(200, afterwards.StatusCode);
        Assert.Equal("/x", Assert.Single(Backend.Requests).Path);
    }

    [Theory]
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "CONNECT example.com:443 → 400 local")]
    [InlineData("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", "OPTIONS * → 400 local")]
    public async Task UnforwardableRequest_IsLoggedWithoutTheCatchAllRoute(string request, string logLine)
    {
        await using var proxy = await StartProxyAsync();

        var answer = await RawHttp.SendAsync(proxy.PublicPort, request);

        Assert.Equal(400, answer.StatusCode);
        Assert.True(await proxy.WaitForOutputAsync(logLine, TimeSpan.FromSeconds(10)), proxy.Output);
        var line = proxy.Output.Split('\n').Single(l => l.Contains(logLine, StringComparison.Ordinal));
        Assert.DoesNotContain("route app", line, StringComparison.Ordinal);
        Assert.DoesNotContain("cluster app", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OptionsAsterisk_OverHttp2_Gets400WithoutAWarningPerRequest()
    {
        await using var proxy = await StartProxyAsync(new() { ["Kestrel:Endpoints:Public:Protocols"] = "Http2" });

        // HttpClient cannot send the target *; curl sends it as HTTP/2's :path.
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-s", "-o", "/dev/null", "-w", "%{http_code} %{http_version}", "--max-time", "20", "--http2-prior-knowledge", "-X", "OPTIONS", "--request-target", "*", proxy.PublicUrl + "/" })
        {
            start.ArgumentList.Add(argument);
        }

        using var curl = Process.Start(start)!;
        var answer = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();

        Assert.Equal("400 2", answer);
        Assert.True(await proxy.WaitForOutputAsync("OPTIONS * → 400 local", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.DoesNotContain("WRN", proxy.Output, StringComparison.Ordinal);
        Assert.Empty(Backend.Requests);
    }
}
