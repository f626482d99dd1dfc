using System.Net;
using System.Net.Sockets;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>A backend's 204 reaches the client as a 204, even when it wrongly announces a Content-Length.</summary>
public sealed class NoContentEndToEndTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly TcpListener _backend = new(IPAddress.Loopback, 0);

    public Task InitializeAsync()
    {
        _backend.Start();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _backend.Stop();
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task NoContentWithContentLength_Reaches_TheClientAs204_LoggedAsForwarded()
    {
        var answering = AnswerOnceAsync("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nX-App: kept\r\nConnection: close\r\n\r\n");
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, $"http://127.0.0.1:{((IPEndPoint)_backend.LocalEndpoint).Port}/");
        using var client = new HttpClient();

        using var response = await client.DeleteAsync(proxy.PublicUrl + "/orders/7");
        await answering;

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("kept", response.Headers.GetValues("X-App").Single());
        Assert.True(await proxy.WaitForOutputAsync("DELETE /orders/7 → 204 forwarded", TimeSpan.FromSeconds(5)), proxy.Output);
        Assert.DoesNotContain("Content-Length mismatch", proxy.Output, StringComparison.Ordinal);
    }

    private async Task AnswerOnceAsync(string answer)
    {
        using var connection = await _backend.AcceptSocketAsync();
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await connection.ReceiveAsync(buffer);
            Assert.True(read > 0, "the proxy closed before sending its request");
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        await connection.SendAsync(Encoding.ASCII.GetBytes(answer));
    }
}
