using System.Diagnostics;
using System.Globalization;
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
        var output = new StringBuilder();
        using var process = StartActivated(activatedPort, backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Public:Url"] = $"http://127.0.0.1:{configuredPort}",
            ["Admin:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
        }, "NOTIFY_SOCKET=@" + notifyName, output);
        try
        {
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
            }, Deadline, TimeSpan.FromMilliseconds(50)), Snapshot(output));

            Assert.Equal("backend ok /hello", answer);
            Assert.StartsWith("READY=1", await ReceiveAsync(notify));
            Assert.True(await Connections.IsRefusedAsync(configuredPort), "the Kestrel:Endpoints address was bound too");
            Assert.Contains("Listening on 1 inherited socket(s)", Snapshot(output), StringComparison.Ordinal);

            Signal(process, "TERM");
            Assert.StartsWith("STOPPING=1", await ReceiveAsync(notify));
            using var exit = new CancellationTokenSource(Deadline);
            await process.WaitForExitAsync(exit.Token);
            Assert.Contains("every request in flight finished; exiting", Snapshot(output), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    private Process StartActivated(int port, string backendUrl, Dictionary<string, string> settings, string notifySocket, StringBuilder output)
    {
        Directory.CreateDirectory(_dir.File("maint"));
        var start = new ProcessStartInfo("systemd-socket-activate")
        {
            WorkingDirectory = _dir.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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

        var process = new Process { StartInfo = start };
        DataReceivedEventHandler append = (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static async Task<string> ReceiveAsync(Socket notify)
    {
        var buffer = new byte[4096];
        var read = await notify.ReceiveAsync(buffer).WaitAsync(Deadline);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static void Signal(Process process, string name)
    {
        using var kill = Process.Start("kill", ["-" + name, process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
