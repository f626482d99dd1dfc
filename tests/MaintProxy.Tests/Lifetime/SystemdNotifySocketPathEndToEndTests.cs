using System.Net.Sockets;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Lifetime;

/// <summary>
/// Readiness sent to a <c>NOTIFY_SOCKET</c> that is a file system path, as systemd sets it for
/// <c>Type=notify</c> services (<c>/run/systemd/notify</c>), not only one in the abstract namespace.
/// </summary>
public sealed class SystemdNotifySocketPathEndToEndTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task NotifySocketAsAPath_GetsReadyThenStopping()
    {
        await using var backend = await TestBackend.StartAsync();
        var socketPath = _dir.File("notify");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, environment: new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = socketPath,
        });

        Assert.StartsWith("READY=1", await ReceiveAsync(notify));

        proxy.Signal("TERM");
        Assert.StartsWith("STOPPING=1", await ReceiveAsync(notify));
        Assert.True(await proxy.WaitForExitAsync(Deadline), proxy.Output);
        Assert.DoesNotContain("Could not notify systemd", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifySocketNobodyListensOn_IsLogged_AndTheProxyServesAndStopsAsUsual()
    {
        // A unit started by hand with a stale NOTIFY_SOCKET in its environment: readiness cannot be sent.
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, environment: new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = _dir.File("nobody-listens"),
        });
        using var client = new HttpClient { Timeout = Deadline };

        Assert.Equal("backend ok /hello", await client.GetStringAsync(proxy.PublicUrl + "/hello"));
        Assert.True(await proxy.WaitForOutputAsync("Could not notify systemd (READY=1", Deadline), proxy.Output);

        proxy.Signal("TERM");
        Assert.True(await proxy.WaitForExitAsync(Deadline), proxy.Output);
        Assert.Contains("Could not notify systemd (STOPPING=1", proxy.Output, StringComparison.Ordinal);
        Assert.Contains("every request in flight finished; exiting", proxy.Output, StringComparison.Ordinal);
    }

    private static async Task<string> ReceiveAsync(Socket notify)
    {
        var buffer = new byte[4096];
        var read = await notify.ReceiveAsync(buffer).WaitAsync(Deadline);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
