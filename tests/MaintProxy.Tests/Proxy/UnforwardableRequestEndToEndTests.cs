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
}
