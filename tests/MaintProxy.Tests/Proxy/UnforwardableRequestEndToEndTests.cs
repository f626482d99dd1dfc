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
    [InlineData("OPTIONS http://a HTTP/1.1\r\nHost: a\r\n\r\n", "OPTIONS http://a → 400 local")]
    [InlineData("OPTIONS http://a:8080 HTTP/1.0\r\n\r\n", "OPTIONS http://a:8080 → 400 local")]
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
    [InlineData("OPTIONS http://a HTTP/1.1\r\nHost: a\r\n\r\n", "OPTIONS http://a → 400 local")]
    [InlineData("OPTIONS http://a:8080 HTTP/1.0\r\n\r\n", "OPTIONS http://a:8080 → 400 local")]
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

    [Theory]
    [InlineData("http://a/", "/")]
    [InlineData("http://a?x", "/?x")]
    [InlineData("http://a/?x", "/?x")]
    public async Task OptionsWithAbsoluteTargetWithAPathOrQuery_IsForwarded(string target, string sent)
    {
        await using var proxy = await StartProxyAsync();

        // RFC 9112 §3.2.4: only an empty path with no query means the server itself (OPTIONS *).
        var answer = await RawHttp.SendAsync(proxy.PublicPort, $"OPTIONS {target} HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(200, answer.StatusCode);
        var seen = Assert.Single(Backend.Requests);
        Assert.Equal("OPTIONS", seen.Method);
        Assert.Equal(sent, seen.RawTarget);
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

    [Theory]
    [InlineData("/orders HTTP/1.0")]
    [InlineData("/orders\tx")]
    [InlineData("/orders\u0001x")]
    [InlineData("/caf\u00e9")]
    public async Task Http2PathThatIsNoHttp11Target_Gets400_NotARequestLineForTheBackend(string target)
    {
        await using var proxy = await StartProxyAsync(new() { ["Kestrel:Endpoints:Public:Protocols"] = "Http2" });

        // Sent as it stands, /orders HTTP/1.0 would reach the backend as "GET /orders HTTP/1.0 HTTP/1.1".
        var refused = await CurlHttp2Async(proxy, target);
        var encoded = await CurlHttp2Async(proxy, "/orders%20x");

        Assert.Equal("400 2", refused.Status);
        Assert.Contains("request target (:path)", refused.Body, StringComparison.Ordinal);
        Assert.Equal("200 2", encoded.Status);
        Assert.Equal("/orders%20x", Assert.Single(Backend.Requests).RawTarget);
    }

    private static async Task<(string Status, string Body)> CurlHttp2Async(ProxyProcess proxy, string target)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-s", "-w", "\n%{http_code} %{http_version}", "--max-time", "20", "--http2-prior-knowledge", "--request-target", target, proxy.PublicUrl + "/" })
        {
            start.ArgumentList.Add(argument);
        }

        using var curl = Process.Start(start)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        var lastLine = output.LastIndexOf('\n');
        return (output[(lastLine + 1)..], output[..Math.Max(lastLine, 0)]);
    }
}
