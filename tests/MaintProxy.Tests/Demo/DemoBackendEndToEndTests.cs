using System.Net;
using MaintProxy.Tests.Infrastructure;
using MaintProxy.Tests.Lifetime;

namespace MaintProxy.Tests.Demo;

/// <summary>The out-of-the-box experience: the proxy forwards to its own demo backend.</summary>
public sealed class DemoBackendEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task DemoBackend_Enabled_ForwardedTwoHundredThenMaintenanceThenBack()
    {
        var demoUrl = $"http://127.0.0.1:{FreePort.Next()}";
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, demoUrl + "/", new Dictionary<string, string>
        {
            ["DemoBackend:Enabled"] = "true",
            ["DemoBackend:Url"] = demoUrl,
        });
        using var client = new HttpClient();

        using var forwarded = await client.GetAsync(proxy.PublicUrl + "/");
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        Assert.Contains("demo backend: this response was forwarded", await forwarded.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(0, (await Scripts.DownAsync(proxy)).ExitCode);
        using var down = await client.GetAsync(proxy.PublicUrl + "/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);

        Assert.Equal(0, (await Scripts.UpAsync(proxy)).ExitCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(proxy.PublicUrl + "/")).StatusCode);
    }

    [Fact]
    public async Task DemoBackend_Disabled_ItsUrlIsNotListenedOn()
    {
        var demoPort = FreePort.Next();
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["DemoBackend:Enabled"] = "false",
            ["DemoBackend:Url"] = $"http://127.0.0.1:{demoPort}",
        });
        using var client = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(proxy.PublicUrl + "/")).StatusCode);

        Assert.True(await Connections.IsRefusedAsync(demoPort), "the disabled demo backend's port is listened on");
    }

    [Fact]
    public async Task DemoBackend_DisabledWithAUrlNotLoopback_StartsAndForwards()
    {
        // Only a listener that is opened must be on loopback: turning the demo off is enough.
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["DemoBackend:Enabled"] = "false",
            ["DemoBackend:Url"] = "http://0.0.0.0:" + FreePort.Next(),
        });
        using var client = new HttpClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(proxy.PublicUrl + "/")).StatusCode);
    }

    [Fact]
    public async Task DemoBackend_NotLoopback_RefusesToStart()
    {
        var output = await ProxyProcess.StartRefusedAsync(_dir.Path, "http://127.0.0.1:1/", new Dictionary<string, string>
        {
            ["DemoBackend:Enabled"] = "true",
            ["DemoBackend:Url"] = "http://0.0.0.0:" + FreePort.Next(),
        });

        Assert.Contains("DemoBackend:Url", output, StringComparison.Ordinal);
    }
}
