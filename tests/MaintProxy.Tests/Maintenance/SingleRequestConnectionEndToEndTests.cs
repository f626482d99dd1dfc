using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>
/// The body of a request let through by its path during a window is never run as a request by a
/// backend that answers without reading it.
/// </summary>
public sealed class SingleRequestConnectionEndToEndTests : IDisposable
{
    private const string Smuggled = "DELETE /admin/delete HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string WithSmuggledBody(string method, string target) =>
        $"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {Smuggled.Length}\r\n\r\n{Smuggled}";

    [Theory]
    [InlineData("POST", "/backend-health")]
    [InlineData("GET", "/backend-health/db")]
    [InlineData("POST", "/public")]
    public async Task RequestLetThroughByItsPath_ItsBodyIsNotRunAsARequest(string method, string target)
    {
        await using var backend = new BodyIgnoringBackend();
        var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Maintenance:AllowedPathPrefixes:0"] = "/backend-health",
            ["ReverseProxy:Routes:admin:ClusterId"] = "admin",
            ["ReverseProxy:Routes:admin:Match:Path"] = "/admin/{**rest}",
            ["ReverseProxy:Clusters:admin:Destinations:admin:Address"] = backend.Url,
        });
        await using (proxy)
        {
            var down = target == "/public" ? await Scripts.DownAsync(proxy, "--site", "admin") : await Scripts.DownAsync(proxy);
            Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
            Assert.Equal(503, (await RawHttp.SendAsync(proxy.PublicPort, "DELETE /admin/delete HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).StatusCode);

            var response = await RawHttp.SendAsync(proxy.PublicPort, WithSmuggledBody(method, target));
            Assert.Equal(200, response.StatusCode);
            var after = await RawHttp.SendAsync(proxy.PublicPort, "GET /backend-health/after HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.Equal(200, after.StatusCode);
        }

        // The proxy has exited: every connection it held has ended, and what the backend ran is all there is.
        var ran = await backend.RequestLinesOnceConnectionsEndAsync();
        Assert.Equal([$"{method} {target} HTTP/1.1", "GET /backend-health/after HTTP/1.1"], ran);
    }
}
