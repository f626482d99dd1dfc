using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Lifetime;

/// <summary>
/// The barrier of <c>down.sh</c> while <c>maint/restart.sh</c> overlaps two processes: whichever of them
/// confirms, no request that either one receives afterwards reaches the backend.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // restart.sh runs under bash, file modes are Unix ones
public sealed class RestartBarrierEndToEndTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly string RestartScript = Path.Combine(RepoPaths.Root, "maint", "restart.sh");
    private const string AfterDownPath = "/after-down";
    private readonly TempDirectory _dir = new();
    private int? _newPid;

    private string PidFile => _dir.File("maintproxy.pid");

    public void Dispose()
    {
        ProcessByPid.KillIfRunning(_newPid);
        _dir.Dispose();
    }

    [Fact]
    public async Task DownConfirmedByTheNewProcess_HoldsForRequestsOnTheDrainingProcessesKeptConnections()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var old = await StartOldProcessAsync(backend);
        var kept = new List<Socket>();
        try
        {
            await KeepConnectionsToTheOldProcessAsync(old, kept);
            var restart = await RestartAsync(old.AdminUrl);
            Assert.True(restart.ExitCode == 0, restart.Stderr + restart.Stdout);
            Assert.True(await old.WaitForOutputAsync("Draining: new connections are no longer accepted", Deadline), old.Output);

            // The old process's admin listener is closed: the new one confirms.
            var down = await Scripts.DownAsync(old);
            Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);

            var answers = await RequestOnEachAfterDownAsync(kept, backend);
            Assert.All(answers, answer =>
            {
                Assert.StartsWith("HTTP/1.1 503", answer, StringComparison.Ordinal);
                Assert.Contains("X-Maintenance-Mode: 1", answer, StringComparison.Ordinal);
            });
            // The old process logs the switch too; its console writer may not have written the line yet.
            Assert.True(await old.WaitForOutputAsync("Maintenance is ON", Deadline), old.Output);
        }
        finally
        {
            foreach (var socket in kept)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task DownWhileBothProcessesListen_WaitsUntilTheOldOneDrains_ThenHoldsOnItsKeptConnections()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var old = await StartOldProcessAsync(backend);
        var kept = new List<Socket>();
        try
        {
            await KeepConnectionsToTheOldProcessAsync(old, kept);

            // The window between the new process being ready and the old one being told to drain, widened:
            // restart.sh's second look at the old process's sockets (find, over /proc) first waits 3 s.
            var tools = Directory.CreateDirectory(_dir.File("tools")).FullName;
            var find = Path.Combine(tools, "find");
            var calls = _dir.File("find-calls");
            await File.WriteAllTextAsync(find, $$"""
                #!/bin/sh
                echo >>'{{calls}}'
                if [ "$(wc -l <'{{calls}}')" = 2 ]; then sleep 3; fi
                exec /usr/bin/find "$@"
                """.Replace("\r", "", StringComparison.Ordinal));
            File.SetUnixFileMode(find, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var restart = RestartAsync(old.AdminUrl, new Dictionary<string, string> { ["PATH"] = tools + ":" + Environment.GetEnvironmentVariable("PATH") });
            Assert.True(await Eventually.TrueAsync(() => NewProcessIsReady(old.Pid), Deadline), "the new process did not become ready");

            var down = await Scripts.DownAsync(old);
            var oldStillListened = ListensOnTcp(old.Pid);

            Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
            Assert.False(oldStillListened, "down.sh returned while both processes listened: either could have confirmed it");
            var answers = await RequestOnEachAfterDownAsync(kept, backend);
            Assert.All(answers, answer => Assert.StartsWith("HTTP/1.1 503", answer, StringComparison.Ordinal));
            var restarted = await restart;
            Assert.True(restarted.ExitCode == 0, restarted.Stderr + restarted.Stdout);
        }
        finally
        {
            foreach (var socket in kept)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>
    /// The process an overlap restart replaces. Its file notifications are late or missing (NFS, a
    /// container mount, a replaced folder): only its one-minute poll would see a change.
    /// </summary>
    private Task<ProxyProcess> StartOldProcessAsync(TestBackend backend) =>
        ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Lifetime:ReusePort"] = "true",
            ["Lifetime:PidFile"] = PidFile,
            ["Lifetime:KeepAliveDrainGrace"] = "00:00:30",
            ["Maintenance:FilePollInterval"] = "00:01:00",
        });

    /// <summary>Eight kept-alive connections to the old process; then its watcher is left watching a folder the sentinel is no longer in.</summary>
    private static async Task KeepConnectionsToTheOldProcessAsync(ProxyProcess old, List<Socket> kept)
    {
        for (var i = 0; i < 8; i++)
        {
            kept.Add(await KeepAliveConnectionAsync(old.PublicPort));
        }

        Directory.Move(Path.Combine(old.WorkDirectory, "maint"), Path.Combine(old.WorkDirectory, "maint.replaced"));
        Directory.CreateDirectory(Path.Combine(old.WorkDirectory, "maint"));
    }

    /// <summary>Sends one request on each kept connection, and checks that none of them reached the backend.</summary>
    private static async Task<List<string>> RequestOnEachAfterDownAsync(List<Socket> kept, TestBackend backend)
    {
        var answers = new List<string>();
        foreach (var socket in kept)
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {AfterDownPath} HTTP/1.1\r\nHost: localhost\r\n\r\n"));
            answers.Add(await ReceiveUntilClosedAsync(socket));
        }

        var reached = backend.Requests.Count(r => r.Path == AfterDownPath);
        Assert.True(reached == 0, $"{reached} of {kept.Count} requests sent after down.sh returned reached the backend");
        return answers;
    }

    /// <summary>True while the process holds a listening TCP socket (as restart.sh reads it from /proc).</summary>
    private static bool ListensOnTcp(int pid)
    {
        var sockets = new DirectoryInfo($"/proc/{pid}/fd").EnumerateFileSystemInfos()
            .Select(fd => fd.LinkTarget).OfType<string>().Where(target => target.StartsWith("socket:[", StringComparison.Ordinal)).ToHashSet();
        return File.ReadLines($"/proc/{pid}/net/tcp").Concat(File.ReadLines($"/proc/{pid}/net/tcp6")).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(fields => fields.Length > 9 && fields[3] == "0A" && sockets.Contains($"socket:[{fields[9]}]"));
    }

    private bool NewProcessIsReady(int oldPid)
    {
        if (File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && pid != oldPid)
        {
            _newPid = pid;
            return true;
        }

        return false;
    }

    /// <summary>A connection with one request answered on it, kept alive.</summary>
    private static async Task<Socket> KeepAliveConnectionAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await socket.SendAsync("GET /before HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        var received = new StringBuilder();
        var buffer = new byte[4096];
        for (var i = 0; i < 1000 && !received.ToString().EndsWith("0\r\n\r\n", StringComparison.Ordinal); i++)
        {
            var read = await socket.ReceiveAsync(buffer).WaitAsync(Deadline);
            Assert.NotEqual(0, read);
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.Contains("backend ok /before", received.ToString(), StringComparison.Ordinal);
        return socket;
    }

    // A draining process closes each connection after its answer.
    private static async Task<string> ReceiveUntilClosedAsync(Socket socket)
    {
        var received = new StringBuilder();
        var buffer = new byte[16 * 1024];
        for (var i = 0; i < 1000; i++)
        {
            var read = await socket.ReceiveAsync(buffer).WaitAsync(Deadline);
            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return received.ToString();
    }

    private async Task<ScriptResult> RestartAsync(string adminUrl, IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = await Scripts.RunAsync(RestartScript, adminUrl, ["--pid-file", PidFile, "--log", _dir.File("new.log")], environment);
        if (File.Exists(PidFile) && int.TryParse(await File.ReadAllTextAsync(PidFile), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
        {
            _newPid = pid;
        }

        return result;
    }
}
