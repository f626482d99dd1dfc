using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>A backend's 204 reaches the client as a 204, even when it wrongly announces a Content-Length.</summary>
public sealed class NoContentEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly RawBackend _backend = new();

    public void Dispose()
    {
        _backend.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task NoContentWithContentLength_Reaches_TheClientAs204_LoggedAsForwarded()
    {
        var answering = _backend.AnswerOnceAsync("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nX-App: kept\r\nConnection: close\r\n\r\n"u8.ToArray());
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, _backend.Url);
        using var client = new HttpClient();

        using var response = await client.DeleteAsync(proxy.PublicUrl + "/orders/7");
        await answering;

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("kept", response.Headers.GetValues("X-App").Single());
        Assert.True(await proxy.WaitForOutputAsync("DELETE /orders/7 → 204 forwarded", TimeSpan.FromSeconds(5)), proxy.Output);
        Assert.DoesNotContain("Content-Length mismatch", proxy.Output, StringComparison.Ordinal);
    }
}
