using System.Net.WebSockets;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>
/// WebSockets through the real proxy to a real Kestrel backend: they never finish by themselves, so
/// the switch must close the ones it covers, or the backend would keep hearing from clients.
/// </summary>
public sealed class UpgradedConnectionsEndToEndTests : EndToEndTest
{
    private protected override Func<HttpContext, Task> BackendHandler => WebSocketEcho.ServeAsync;

    [Fact]
    public async Task DownSh_ClosesWebSocketsBeforeItReturns_AndTheDrainEnds()
    {
        await using var proxy = await StartProxyAsync();
        using var socket = await ConnectAsync(proxy);
        Assert.Equal("before", await WebSocketEcho.EchoAsync(socket, "before"));

        var down = await Scripts.DownAsync(proxy, "--drain=10");

        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
        Assert.Contains("Drained", down.Stdout, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => WebSocketEcho.EchoAsync(socket, "after"));
        Assert.True(await proxy.WaitForOutputAsync("closed 1 upgraded connection(s)", TimeSpan.FromSeconds(5)), proxy.Output);
    }

    [Fact]
    public async Task ReadOnlyWindow_ClosesWebSockets_AndRefusesNewOnes()
    {
        // What a WebSocket carries may be writes (a Blazor Server or LiveView form, a SignalR call).
        await using var proxy = await StartProxyAsync();
        using var openedBefore = await ConnectAsync(proxy);
        Assert.Equal("before", await WebSocketEcho.EchoAsync(openedBefore, "before"));

        var readOnly = await Scripts.DownAsync(proxy, "--read-only");

        Assert.True(readOnly.ExitCode == 0, readOnly.Stderr + readOnly.Stdout);
        await Assert.ThrowsAnyAsync<Exception>(() => WebSocketEcho.EchoAsync(openedBefore, "after"));
        var refused = await Assert.ThrowsAnyAsync<WebSocketException>(() => ConnectAsync(proxy));
        Assert.Contains("503", refused.Message, StringComparison.Ordinal);
        Assert.Single(Backend.Requests);
    }

    [Fact]
    public async Task SiteWindow_ClosesWebSocketsWhoseForwardedHostNamesTheSite()
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:TrustedProxies:0"] = "127.0.0.1" });
        using var covered = await ConnectAsync(proxy, socket => socket.Options.SetRequestHeader("X-Forwarded-Host", "shop.example"));
        using var other = await ConnectAsync(proxy, socket => socket.Options.SetRequestHeader("X-Forwarded-Host", "other.example"));
        Assert.Equal("before", await WebSocketEcho.EchoAsync(covered, "before"));

        var down = await Scripts.DownAsync(proxy, "--site", "shop.example");

        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
        await Assert.ThrowsAnyAsync<Exception>(() => WebSocketEcho.EchoAsync(covered, "after"));
        Assert.Equal("still", await WebSocketEcho.EchoAsync(other, "still"));
    }

    [Fact]
    public async Task WebSocketClosedByTheWindowOfTheSiteItsForwardedHostNames_IsLoggedWithWhy()
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:TrustedProxies:0"] = "127.0.0.1" });
        using (var covered = await ConnectAsync(proxy, socket => socket.Options.SetRequestHeader("X-Forwarded-Host", "shop.example")))
        {
            Assert.Equal("before", await WebSocketEcho.EchoAsync(covered, "before"));

            var down = await Scripts.DownAsync(proxy, "--site", "shop.example");

            Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
            await Assert.ThrowsAnyAsync<Exception>(() => WebSocketEcho.EchoAsync(covered, "after"));
        }

        // Its Host (127.0.0.1) and cluster name no window: the request line says which header did.
        Assert.True(await proxy.WaitForOutputAsync("GET /ws →", TimeSpan.FromSeconds(10)), proxy.Output);
        var line = proxy.Output.Split('\n').Single(l => l.Contains("GET /ws →", StringComparison.Ordinal));
        Assert.True(line.Contains(" maintenance in ", StringComparison.Ordinal)
            && line.TrimEnd().EndsWith("window of site shop.example, named by X-Forwarded-Host)", StringComparison.Ordinal), line);
    }

    private static async Task<ClientWebSocket> ConnectAsync(ProxyProcess proxy, Action<ClientWebSocket>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.PublicPort}/ws"), timeout.Token);
        return socket;
    }
}
