using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// php-fpm and a real proxy whose cluster has a front controller (<c>/front.php</c>) and probes
/// php-fpm's ping page every 200 ms, shared by a test class.
/// </summary>
public sealed class PhpFpmFrontControllerFixture : IAsyncLifetime
{
    internal TempDirectory Dir { get; } = new();

    internal FastCgiPeer Fpm { get; private set; } = null!;

    internal ProxyProcess Proxy { get; private set; } = null!;

    internal HttpClient Client { get; } = new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        Fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 2);
        Proxy = await FastCgiProxy.StartAsync(Dir, Fpm, 2, TimeSpan.FromSeconds(10), new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:Metadata:FastCGI.FrontController"] = "/front.php",
            ["ReverseProxy:Clusters:app:HealthCheck:Active:Enabled"] = "true",
            ["ReverseProxy:Clusters:app:HealthCheck:Active:Interval"] = "00:00:00.200",
            ["ReverseProxy:Clusters:app:HealthCheck:Active:Timeout"] = "00:00:02",
            ["ReverseProxy:Clusters:app:HealthCheck:Active:Path"] = "/ping",
            ["ReverseProxy:Clusters:app:HealthCheck:Active:Policy"] = "ConsecutiveFailures",
        });
        Client.BaseAddress = new Uri(Proxy.PublicUrl);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
        await Fpm.DisposeAsync();
        Dir.Dispose();
    }
}
