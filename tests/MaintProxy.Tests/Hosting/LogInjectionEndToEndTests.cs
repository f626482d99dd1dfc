using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Hosting;

/// <summary>
/// A client cannot write lines of its own into the proxy's log, nor terminal escape sequences: the
/// request path is logged decoded, so its control characters are written as <c>\xHH</c>.
/// </summary>
public sealed class LogInjectionEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task PathWithNewlineAndEscape_IsOneRequestLine_ControlsWrittenAsHex()
    {
        await using var proxy = await StartProxyAsync();
        using var client = new HttpClient();

        await client.GetStringAsync(proxy.PublicUrl + "/x%0a%5B12:00:00.000%20WRN%5D%20Drained%20forged%1b%5B31m");

        Assert.True(await proxy.WaitForOutputAsync(@"GET /x\x0A[12:00:00.000 WRN] Drained forged\x1B[31m → 200 forwarded", TimeSpan.FromSeconds(5)), proxy.Output);
        Assert.DoesNotContain(proxy.Output.Split('\n'), line => line.StartsWith("[12:00:00.000 WRN]", StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', proxy.Output);
    }
}
