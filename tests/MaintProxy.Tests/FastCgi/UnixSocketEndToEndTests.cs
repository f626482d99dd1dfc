using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>php-fpm on a Unix domain socket: <c>fcgi+unix:///path/to/socket</c>.</summary>
public sealed class UnixSocketEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Get_OverUnixSocket_PathAfterTheSocketIsTheRequestPath_AndHealthProbesPass()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(_dir, workers: 2, unixSocket: true);
        await using var proxy = await FastCgiProxy.StartAsync(_dir, fpm, 2, TimeSpan.FromSeconds(10), new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:HealthCheck:Active:Enabled"] = "true",
            ["ReverseProxy:Clusters:app:HealthCheck:Active:Interval"] = "00:00:00.300",
            ["ReverseProxy:Clusters:app:HealthCheck:Active:Path"] = "/ping",
        });
        using var client = new HttpClient();

        using var response = await client.GetAsync(proxy.PublicUrl + "/info.php/tail?q=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var server = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("server");
        Assert.Equal("/info.php", server.GetProperty("SCRIPT_NAME").GetString());
        Assert.Equal("/tail", server.GetProperty("PATH_INFO").GetString());
        Assert.Equal("/info.php/tail?q=1", server.GetProperty("REQUEST_URI").GetString());
        Assert.True(await Eventually.TrueAsync(() => FastCgiPeer.AccessLog(_dir).Any(line => line == "GET /ping 200"), TimeSpan.FromSeconds(10)),
            string.Join('\n', FastCgiPeer.AccessLog(_dir)));
    }
    [Fact]
    public async Task SocketFileMissingOrNotASocket_Gets502_TheLogSaysWhichAndWhatToCheck_AndThePoolRecovers()
    {
        var fpm = await FastCgiPeer.StartPhpFpmAsync(_dir, workers: 2, unixSocket: true);
        await using var proxy = await FastCgiProxy.StartAsync(_dir, fpm, 2, TimeSpan.FromSeconds(10));
        using var client = new HttpClient();
        var socketPath = ((UnixDomainSocketEndPoint)fpm.EndPoint).ToString();
        await fpm.StopAsync();
        await fpm.DisposeAsync();
        File.Delete(socketPath);

        using (var missing = await client.GetAsync(proxy.PublicUrl + "/hello.php"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, missing.StatusCode);
            Assert.False(missing.Headers.Contains("X-Maintenance-Mode"));
        }

        Assert.True(await Eventually.TrueAsync(() => proxy.Output.Contains("no socket file at that path (No such file or directory); is the FastCGI server running", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5)), proxy.Output);

        await File.WriteAllTextAsync(socketPath, "");
        using (var notASocket = await client.GetAsync(proxy.PublicUrl + "/hello.php"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, notASocket.StatusCode);
        }

        Assert.True(await Eventually.TrueAsync(() => proxy.Output.Contains("connection refused: nothing listens on the socket file", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5)), proxy.Output);

        File.Delete(socketPath);
        await using var restarted = await FastCgiPeer.StartPhpFpmAsync(_dir, workers: 2, unixSocket: true);
        using var recovered = await client.GetAsync(proxy.PublicUrl + "/hello.php");
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }
    [Fact]
    public async Task SocketPathUnderAFile_Gets502_TheLogSaysThePathCannotBeFollowed()
    {
        // A file where the path needs a folder (ENOTDIR), which .NET reports as an unknown socket error.
        var file = Path.Combine(_dir.Path, "php-fpm");
        await File.WriteAllTextAsync(file, "");
        var proxyDir = Directory.CreateDirectory(Path.Combine(_dir.Path, "proxy")).FullName;
        await using var proxy = await ProxyProcess.StartReadyAsync(proxyDir, $"fcgi+unix://{file}/php.sock", new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:Metadata:Transport"] = "FastCGI",
            ["ReverseProxy:Clusters:app:Metadata:FastCGI.DocumentRoot"] = _dir.Path,
            ["ReverseProxy:Clusters:app:HttpClient:MaxConnectionsPerServer"] = "2",
        });
        using var client = new HttpClient();

        using var response = await client.GetAsync(proxy.PublicUrl + "/hello.php");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.True(await Eventually.TrueAsync(() => proxy.Output.Contains($"fcgi+unix://{file}/php.sock: the socket path cannot be followed (", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5)), proxy.Output);
        Assert.DoesNotContain("php.sock: Unknown socket error", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MorePooledConnectionsThanWorkers_AFullListenQueue_Gets502_AndTheLogSaysToMatchMaxChildren()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(_dir, workers: 1, unixSocket: true, poolSettings: "listen.backlog = 1");
        await using var proxy = await FastCgiProxy.StartAsync(_dir, fpm, 6, TimeSpan.FromSeconds(3));
        using var client = new HttpClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await client.GetAsync(proxy.PublicUrl + "/sleep.php?s=1");
            return response.StatusCode;
        }));

        Assert.Contains(HttpStatusCode.BadGateway, answers);
        Assert.True(await Eventually.TrueAsync(() => proxy.Output.Contains(
            "the socket's listen queue is full (Resource temporarily unavailable): every worker is busy and listen.backlog is reached; keep the cluster's MaxConnectionsPerServer at pm.max_children",
            StringComparison.Ordinal), TimeSpan.FromSeconds(5)), proxy.Output);
    }
}
