using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Lifetime;

/// <summary>
/// The proxy started the way systemd starts a socket-activated <c>Type=notify</c> service, by
/// <c>systemd-socket-activate</c> (Debian package systemd): it holds the listening socket and
/// passes it on (LISTEN_FDS), and readiness goes to NOTIFY_SOCKET, here in the abstract namespace.
/// </summary>
public sealed class SocketActivationEndToEndTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task InheritedSocket_ServesPublicTrafficAndReportsReadyAndStopping()
    {
        await using var backend = await TestBackend.StartAsync();
        var activatedPort = FreePort.Next();
        var configuredPort = FreePort.Next();
        var notifyName = "maintproxy-test-" + Guid.NewGuid().ToString("N");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint("\0" + notifyName));
        await using var process = StartActivated(activatedPort, backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Public:Url"] = $"http://127.0.0.1:{configuredPort}",
            ["Admin:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
        }, "NOTIFY_SOCKET=@" + notifyName);

        // The socket holder accepts into its queue from the start; the proxy answers once it runs.
        using var client = new HttpClient { Timeout = Deadline };
        string? answer = null;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            try
            {
                answer = await client.GetStringAsync($"http://127.0.0.1:{activatedPort}/hello");
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, Deadline, TimeSpan.FromMilliseconds(50)), process.Output);

        Assert.Equal("backend ok /hello", answer);
        Assert.StartsWith("READY=1", await ReceiveAsync(notify));
        Assert.True(await Connections.IsRefusedAsync(configuredPort), "the Kestrel:Endpoints address was bound too");
        Assert.Contains("Listening on 1 inherited socket(s)", process.Output, StringComparison.Ordinal);

        process.Signal("TERM");
        Assert.StartsWith("STOPPING=1", await ReceiveAsync(notify));
        Assert.True(await process.WaitForExitAsync(Deadline), process.Output);
        Assert.Contains("every request in flight finished; exiting", process.Output, StringComparison.Ordinal);
    }

    private CapturedProcess StartActivated(int port, string backendUrl, Dictionary<string, string> settings, string notifySocket)
    {
        Directory.CreateDirectory(_dir.File("maint"));
        var start = new ProcessStartInfo("systemd-socket-activate") { WorkingDirectory = _dir.Path };
        foreach (var arg in (string[])["--listen", $"127.0.0.1:{port}", "--setenv", notifySocket, "--setenv", "DOTNET_gcServer=0", "--setenv", "DOTNET_EnableDiagnostics=0", "dotnet", RepoPaths.ProxyDll])
        {
            start.ArgumentList.Add(arg);
        }

        settings["DemoBackend:Enabled"] = "false";
        settings["Maintenance:PagePath"] = RepoPaths.MaintPage;
        settings["ReverseProxy:Clusters:app:Destinations:app:Address"] = backendUrl;
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        return CapturedProcess.Start(start);
    }

    private static async Task<string> ReceiveAsync(Socket notify)
    {
        var buffer = new byte[4096];
        var read = await notify.ReceiveAsync(buffer).WaitAsync(Deadline);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
