using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MaintProxy.Maintenance;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>
/// down.sh and up.sh never report a state the proxy does not have: values it cannot apply are
/// refused, concurrent runs keep each other's windows, and only MaintProxy confirms.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the scripts run under bash, file modes are Unix ones
public sealed class ScriptSafetyEndToEndTests : EndToEndTest
{
    private const string NoAdmin = "http://127.0.0.1:1";

    [Theory]
    [InlineData(":", false)]
    [InlineData("::1/129", false)]
    [InlineData("::1/", false)]
    [InlineData("1:2:3:4:5:6:7:8:9", false)]
    [InlineData("1::2::3", false)]
    [InlineData("12345::1", false)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("10.0.0.0/99", false)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("1:2:3:4::5:6:7:8", false)]
    [InlineData("999.1.1.1", false)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("::/0", true)]
    [InlineData("1::", true)]
    [InlineData("2001:db8::/32", true)]
    [InlineData("2001:DB8:0:0:0:0:0:1/128", true)]
    [InlineData("fe80::1:2:3:4:5:6", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("10.0.0.0/8", true)]
    public async Task Down_Allow_AcceptsOnlyWhatTheProxyApplies(string cidr, bool accepted)
    {
        var sentinel = Dir.File("down");

        var down = await Scripts.DownAsync(NoAdmin, "--sentinel", sentinel, "--no-wait", "--allow", cidr);

        if (accepted)
        {
            Assert.True(down.ExitCode == 0, down.Stderr);
            Assert.True(ClientAddress.TryParseNetwork(cidr, out _), $"the proxy cannot apply {cidr}");
        }
        else
        {
            Assert.Equal(2, down.ExitCode);
            Assert.StartsWith($"down: --allow '{cidr}' is not an IP address", down.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(sentinel));
        }
    }

    [Theory]
    [InlineData("abcdefghijklmnop", true)]
    [InlineData("abcdefghijklmno", false)]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", false)]
    [InlineData("sixteen+chars/ok", false)]
    public async Task Down_Secret_TakesOnly16To128UrlSafeCharacters(string secret, bool accepted)
    {
        var sentinel = Dir.File("down");

        var down = await Scripts.DownAsync(NoAdmin, "--sentinel", sentinel, "--no-wait", "--secret=" + secret);

        if (accepted)
        {
            Assert.True(down.ExitCode == 0, down.Stderr);
            Assert.True(File.Exists(sentinel));
        }
        else
        {
            Assert.Equal(2, down.ExitCode);
            Assert.StartsWith("down: --secret needs 16 to 128 letters, digits, '-' or '_'", down.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(sentinel));
        }
    }

    [Theory]
    [InlineData("--retry-after", "2147483648", "from 0 to 2147483647")]
    [InlineData("--retry-after", "99999999999", "from 0 to 2147483647")]
    [InlineData("--until", "10000-01-01", "after 9999-12-31")]
    public async Task Down_ValueBeyondWhatTheProxyReads_ExitsTwoAndWritesNothing(string option, string value, string message)
    {
        var sentinel = Dir.File("down");

        var down = await Scripts.DownAsync(NoAdmin, "--sentinel", sentinel, "--no-wait", option, value);

        Assert.Equal(2, down.ExitCode);
        Assert.Contains(message, down.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(sentinel));
    }

    [Theory]
    [InlineData("down", "0")]
    [InlineData("down", "0.0004")]
    [InlineData("up", "0.000")]
    public async Task ZeroTimeout_IsBadUsage_NotAProxyThatDoesNotAnswer(string script, string timeout)
    {
        await using var proxy = await StartProxyAsync();

        var result = await Scripts.RunAsync(script == "down" ? RepoPaths.DownScript : RepoPaths.UpScript, proxy.AdminUrl, ["--timeout", timeout]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"{script}: --timeout takes seconds above 0", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(proxy.SentinelPath));
        Assert.Equal("up", (await proxy.StatusAsync()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Down_RetryAfterWithLeadingZerosOrAtTheLimit_IsAppliedByTheProxy()
    {
        await using var proxy = await StartProxyAsync();

        var a = await Scripts.DownAsync(proxy, "--site", "a.example", "--retry-after", "0300");
        var b = await Scripts.DownAsync(proxy, "--site", "b.example", "--retry-after", "2147483647");

        Assert.True(a.ExitCode == 0, a.Stderr);
        Assert.True(b.ExitCode == 0, b.Stderr);
        var status = await proxy.StatusAsync();
        Assert.Equal(JsonValueKind.Null, status.GetProperty("sentinelError").ValueKind);
        var windows = status.GetProperty("windows").EnumerateArray().ToDictionary(w => w.GetProperty("site").GetString()!, w => w.GetProperty("retryAfterSeconds").GetInt32());
        Assert.Equal(300, windows["a.example"]);
        Assert.Equal(int.MaxValue, windows["b.example"]);
    }

    [Fact]
    public async Task Down_ProxyCannotApplyTheSentinel_ExitsOneSayingEverySiteIsDown()
    {
        await using var proxy = await StartProxyAsync();
        await File.WriteAllTextAsync(proxy.SentinelPath, "{\"site\":\"hand.example\",\"allow\":[\"10.1\"]}\n");

        var down = await Scripts.DownAsync(proxy, "--site", "other.example");

        Assert.Equal(1, down.ExitCode);
        Assert.DoesNotContain("confirmed", down.Stdout, StringComparison.Ordinal);
        Assert.Contains("the proxy could not apply " + proxy.SentinelPath, down.Stderr, StringComparison.Ordinal);
        Assert.Contains("allow entry '10.1'", down.Stderr, StringComparison.Ordinal);
        Assert.Contains("EVERY site is in maintenance", down.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--drain=")]
    [InlineData("--retry-after=")]
    [InlineData("--reason=")]
    public async Task Down_EmptyValueAfterEquals_ExitsTwoAndWritesNothing(string option)
    {
        var sentinel = Dir.File("down");

        var down = await Scripts.DownAsync(NoAdmin, "--sentinel", sentinel, "--no-wait", option);

        Assert.Equal(2, down.ExitCode);
        Assert.Equal($"down: {option} needs a value (see --help)\n", down.Stderr);
        Assert.False(File.Exists(sentinel));
    }

    [Fact]
    public async Task Down_ConcurrentRunsForDifferentSites_KeepEveryWindow()
    {
        var sentinel = Dir.File("down");
        for (var round = 0; round < 3; round++)
        {
            File.Delete(sentinel);
            var runs = Enumerable.Range(0, 6).Select(i => Scripts.DownAsync(NoAdmin, "--sentinel", sentinel, "--no-wait", "--site", $"s{i}.example")).ToList();
            var results = await Task.WhenAll(runs);

            Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stderr));
            var content = await File.ReadAllTextAsync(sentinel);
            Assert.All(Enumerable.Range(0, 6), i => Assert.Contains($"\"site\":\"s{i}.example\"", content, StringComparison.Ordinal));
        }

        Assert.Equal(["down"], Directory.GetFileSystemEntries(Dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Down_AnotherWriterRightAfterTheRename_IsNotConfirmedAsThisRunsWindow()
    {
        await using var proxy = await StartProxyAsync();
        // An `mv` first on PATH: the script's rename happens, then another program writes the sentinel at once.
        var bin = Directory.CreateDirectory(Dir.File("bin")).FullName;
        var wrapper = Path.Combine(bin, "mv");
        await File.WriteAllTextAsync(wrapper, """
            #!/bin/bash
            real_mv=$(PATH="$RACE_PATH" type -P mv)
            "$real_mv" "$@" || exit
            if [ "${!#}" = "$RACE_SENTINEL" ] && [ ! -e "$RACE_MARK" ]; then
              : >"$RACE_MARK"
              printf '{"site":"intruder.example"}\n' >"$RACE_SENTINEL.other" && "$real_mv" -f "$RACE_SENTINEL.other" "$RACE_SENTINEL"
            fi
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = bin + ":" + path,
            ["RACE_PATH"] = path,
            ["RACE_MARK"] = Dir.File("raced"),
            ["RACE_SENTINEL"] = proxy.SentinelPath,
        };

        var down = await Scripts.RunAsync(RepoPaths.DownScript, proxy.AdminUrl, ["--site", "mine.example", "--timeout", "2"], environment);

        Assert.True(File.Exists(Dir.File("raced")), "the other writer did not run after the rename");
        Assert.Equal(1, down.ExitCode);
        Assert.Contains("the bytes this run wrote", down.Stderr, StringComparison.Ordinal);
        // The other writer's content is what stays, and what the proxy applies.
        Assert.Equal("{\"site\":\"intruder.example\"}\n", await File.ReadAllTextAsync(proxy.SentinelPath));
        var status = await proxy.StatusAsync();
        Assert.DoesNotContain(status.GetProperty("windows").EnumerateArray(), w => w.GetProperty("site").GetString() == "mine.example");
    }

    [Fact]
    public async Task UpSite_UnderTheWindowForEverySite_ExitsOneSayingTheSiteIsStillDown()
    {
        await using var proxy = await StartProxyAsync();
        Assert.Equal(0, (await Scripts.DownAsync(proxy)).ExitCode);

        var up = await Scripts.UpAsync(proxy, "--site", "shop.example");

        Assert.Equal(1, up.ExitCode);
        Assert.DoesNotContain("OFF", up.Stdout, StringComparison.Ordinal);
        Assert.Contains("NOT up: shop.example still in maintenance, under the window for every site", up.Stderr, StringComparison.Ordinal);
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, proxy.PublicUrl + "/");
        request.Headers.Host = "shop.example";
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Down_SentinelTheUserCannotRead_ExitsTwoAndKeepsItsWindows()
    {
        // The script runs as nobody when the tests run as root (who reads any file); else the file is mode 000.
        var folder = Directory.CreateDirectory(Dir.File("maint")).FullName;
        var sentinel = Path.Combine(folder, "down");
        const string Windows = "{\"site\":\"keep.example\"}\n";
        await File.WriteAllTextAsync(sentinel, Windows);
        string[] command = ["bash"];
        if (Environment.IsPrivilegedProcess)
        {
            File.SetUnixFileMode(Dir.Path, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
            File.SetUnixFileMode(sentinel, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "bash"];
        }
        else
        {
            File.SetUnixFileMode(sentinel, UnixFileMode.None);
        }

        var down = await Scripts.RunAsync(command, RepoPaths.DownScript, NoAdmin, ["--sentinel", sentinel, "--no-wait", "--site", "new.example"]);

        Assert.Equal(2, down.ExitCode);
        Assert.StartsWith($"down: cannot read {sentinel}, so the windows in it would be lost; nothing was written", down.Stderr, StringComparison.Ordinal);
        File.SetUnixFileMode(sentinel, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(Windows, await File.ReadAllTextAsync(sentinel));
        Assert.Equal(["down"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("down")]
    [InlineData("up")]
    public async Task Script_FolderAtTheSentinelPath_ExitsTwoAndWritesNothingInIt(string script)
    {
        var folder = Directory.CreateDirectory(Dir.File("down")).FullName;

        var result = await Scripts.RunAsync(script == "down" ? RepoPaths.DownScript : RepoPaths.UpScript, NoAdmin,
            ["--sentinel", folder, "--no-wait", "--site", "a.example"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"{script}: {folder} is a folder, not the sentinel file; nothing was written. Remove it, or pass --sentinel with the path of a file.\n", result.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task Up_AdminListenerThatTrickles_GivesUpWithinTheTimeout()
    {
        await using var fake = new FakeAdminServer(FakeAdminServer.Trickle);

        var up = await Scripts.RunAsync(["bash"], RepoPaths.UpScript, fake.Url, ["--sentinel", Dir.File("down"), "--timeout", "1"], limit: TimeSpan.FromSeconds(15));

        Assert.Equal(1, up.ExitCode);
        Assert.True(up.Elapsed < TimeSpan.FromSeconds(4), $"took {up.Elapsed}");
        Assert.Contains("did not answer like MaintProxy within 1s (no complete answer in time)", up.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("down", "--status")]
    [InlineData("down", "--reason=x")]
    [InlineData("up", "--sentinel")]
    public async Task Script_AdminListenerThatAcceptsNoConnection_GivesUpWithinTheTimeout(string script, string option)
    {
        using var listener = ListenerThatAcceptsNoConnection(out var queued);
        var adminUrl = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}";
        string[] args = option == "--sentinel" ? ["--sentinel", Dir.File("down"), "--timeout", "1"] : [option, "--timeout", "1"];
        try
        {
            var result = await Scripts.RunAsync(["bash"], script == "down" ? RepoPaths.DownScript : RepoPaths.UpScript, adminUrl, args, limit: TimeSpan.FromSeconds(20));

            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"no MaintProxy answered at {adminUrl} within 1s: its admin listener did not accept the connection", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("resume it with kill -CONT", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            queued.ForEach(client => client.Dispose());
        }
    }

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("INT", 130)]
    public async Task Down_SignalledWhileItsConnectWaits_EndsWithTheSignalAndLeavesNothingHoldingTheLock(string signal, int exitCode)
    {
        using var listener = ListenerThatAcceptsNoConnection(out var queued);
        var sentinel = Dir.File("down");
        var start = new ProcessStartInfo("bash", [RepoPaths.DownScript, "--sentinel", sentinel, "--timeout", "60"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment["MAINTPROXY_ADMIN_URL"] = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}";
        using var script = Process.Start(start)!;
        try
        {
            script.StandardInput.Close();
            var stderr = script.StandardError.ReadToEndAsync();
            _ = script.StandardOutput.ReadToEndAsync();
            for (var i = 0; i < 200 && !File.Exists(sentinel); i++)
            {
                await Task.Delay(50);
            }

            Assert.True(File.Exists(sentinel), "down.sh should have written the sentinel before waiting for the proxy");
            await Task.Delay(500); // into the connect that the full accept queue holds
            await RunToolAsync("kill", "-s", signal, script.Id.ToString(CultureInfo.InvariantCulture));
            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await script.WaitForExitAsync(cts.Token);
            }

            Assert.Equal(exitCode, script.ExitCode);
            Assert.DoesNotContain("no MaintProxy answered", await stderr, StringComparison.Ordinal);

            // The watchdog of the connect went with the script: nothing still holds the folder's lock
            // (a watchdog left behind held it, and the next down.sh or up.sh waited, until --timeout).
            var lockFree = false;
            for (var i = 0; i < 20 && !lockFree; i++)
            {
                lockFree = await RunToolAsync("flock", "-n", Dir.Path, "true") == 0;
                if (!lockFree)
                {
                    await Task.Delay(100);
                }
            }

            Assert.True(lockFree, "the lock on the sentinel's folder is still held after down.sh ended");
        }
        finally
        {
            if (!script.HasExited)
            {
                script.Kill(entireProcessTree: true);
            }

            queued.ForEach(client => client.Dispose());
        }
    }

    /// <summary>
    /// A listener whose accept queue is full (a stopped or overwhelmed proxy): the kernel completes no
    /// more connections, so a connect waits for as long as nobody accepts.
    /// </summary>
    private static Socket ListenerThatAcceptsNoConnection(out List<Socket> queued)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        queued = [];
        for (var i = 0; i < 4; i++)
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            try
            {
                client.Connect(listener.LocalEndPoint!);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
            {
            }

            queued.Add(client);
        }

        return listener;
    }

    private static async Task<int> RunToolAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }

    [Theory]
    [InlineData("up")]
    [InlineData("down")]
    public async Task Script_AnyHttpServerOnTheAdminPort_DoesNotConfirm(string script)
    {
        await using var fake = new FakeAdminServer(FakeAdminServer.AnswerEmptyJson);

        var result = await Scripts.RunAsync(script == "down" ? RepoPaths.DownScript : RepoPaths.UpScript, fake.Url, ["--sentinel", Dir.File("down"), "--timeout", "2"]);

        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("confirmed", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"the admin URL {fake.Url} answers POST /refresh, but not like MaintProxy", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Down_AnyHttpServerOnTheAdminPort_WithoutSentinelOption_WritesNothing()
    {
        await using var fake = new FakeAdminServer(FakeAdminServer.AnswerEmptyJson);
        var defaultSentinel = Path.Combine(RepoPaths.Root, "maint", "down");
        var existed = File.Exists(defaultSentinel);
        var before = existed ? await File.ReadAllBytesAsync(defaultSentinel) : null;

        var down = await Scripts.DownAsync(fake.Url, "--timeout", "2");

        Assert.Equal(1, down.ExitCode);
        Assert.Contains($"the admin URL {fake.Url} answers GET /status, but not like MaintProxy", down.Stderr, StringComparison.Ordinal);
        Assert.Equal(existed, File.Exists(defaultSentinel));
        if (existed)
        {
            Assert.Equal(before, await File.ReadAllBytesAsync(defaultSentinel));
        }
    }

    [Fact]
    public async Task DownThenUp_AdminUrlOnIpv6Loopback_IsConfirmed()
    {
        var adminUrl = $"http://[::1]:{FreePort.Next()}";
        await using var proxy = await StartProxyAsync(new() { ["Admin:Url"] = adminUrl });

        var down = await Scripts.DownAsync(adminUrl, "--timeout", "2");
        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.Contains($"Maintenance ON: confirmed by the proxy at {adminUrl}", down.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(proxy.SentinelPath));

        var up = await Scripts.UpAsync(adminUrl, "--timeout", "2");
        Assert.True(up.ExitCode == 0, up.Stderr);
        Assert.False(File.Exists(proxy.SentinelPath));
    }

    [Fact]
    public async Task Down_UntilWithoutOffset_IsTheOperatorsLocalTime()
    {
        // UTC-12 all year (POSIX TZ, no tz database needed): a local time one hour ahead is 11 hours ago in UTC.
        var until = DateTime.UtcNow.AddHours(1);
        until = new DateTime(until.Year, until.Month, until.Day, until.Hour, until.Minute, 0, DateTimeKind.Utc);
        var local = until.AddHours(-12).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
        var sentinel = Dir.File("down");

        var down = await Scripts.RunAsync(RepoPaths.DownScript, NoAdmin, ["--sentinel", sentinel, "--no-wait", "--until", local],
            new Dictionary<string, string> { ["TZ"] = "XXX+12" });

        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.Contains($"\"until\":\"{until:yyyy-MM-dd'T'HH:mm}:00Z\"", await File.ReadAllTextAsync(sentinel), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("symlink")]
    [InlineData("sh")]
    public async Task Down_ThroughASymlinkOrUnderSh_Works(string how)
    {
        var sentinel = Dir.File("down");
        var script = RepoPaths.DownScript;
        string[] command = ["bash"];
        if (how == "symlink")
        {
            script = Dir.File("down-site");
            File.CreateSymbolicLink(script, RepoPaths.DownScript);
        }
        else
        {
            command = ["sh"];
        }

        var down = await Scripts.RunAsync(command, script, NoAdmin, ["--sentinel", sentinel, "--no-wait", "--site", "a.example"]);

        Assert.True(down.ExitCode == 0, $"exit {down.ExitCode}: {down.Stderr}");
        Assert.Contains("\"site\":\"a.example\"", await File.ReadAllTextAsync(sentinel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Down_LargeSentinel_IsUpdatedInLittleTime()
    {
        // A thousand windows, 150 KB, much of it spaces (in a UTF-8 locale, stripping them from the whole file at once took seconds).
        var sentinel = Dir.File("down");
        var words = string.Join(' ', Enumerable.Repeat("word", 25));
        var lines = Enumerable.Range(0, 1000).Select(i =>
            $"{{\"id\":\"{i:x12}\", \"site\": \"site{i}.example\", \"reason\": \"{words}\"}}{new string(' ', 40)}\n");
        await File.WriteAllTextAsync(sentinel, string.Concat(lines));
        Assert.True(new FileInfo(sentinel).Length > 95_000);

        var down = await Scripts.RunAsync(["bash"], RepoPaths.DownScript, NoAdmin, ["--sentinel", sentinel, "--no-wait", "--site", "z"],
            new Dictionary<string, string> { ["LC_ALL"] = "C.UTF-8" }, limit: TimeSpan.FromSeconds(60));

        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.True(down.Elapsed < TimeSpan.FromSeconds(2), $"took {down.Elapsed}");
        var written = await File.ReadAllLinesAsync(sentinel);
        Assert.Equal(1001, written.Length);
        Assert.Contains("\"site\":\"z\"", written[^1], StringComparison.Ordinal);
    }
}
