using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>One php-fpm and one real proxy in front of it, shared by a test class; the subclass says how many workers and which settings.</summary>
public abstract class PhpFpmProxyFixture(int workers, Dictionary<string, string> settings) : IAsyncLifetime
{
    internal TempDirectory Dir { get; } = new();

    internal FastCgiPeer Fpm { get; private set; } = null!;

    internal ProxyProcess Proxy { get; private set; } = null!;

    internal HttpClient Client { get; } = new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        Fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers);
        Proxy = await FastCgiProxy.StartAsync(Dir, Fpm, workers, TimeSpan.FromSeconds(10), settings);
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
