using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Lifetime;

/// <summary>The real <c>maint/restart.sh</c> against the real proxy: SO_REUSEPORT overlap, then drain.</summary>
public sealed class OverlapRestartEndToEndTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly string RestartScript = Path.Combine(RepoPaths.Root, "maint", "restart.sh");
    private readonly TempDirectory _dir = new();
    private int? _newPid;

    private string PidFile => _dir.File("maintproxy.pid");

    private string NewLog => _dir.File("new.log");

    public void Dispose()
    {
        ProcessByPid.KillIfRunning(_newPid);
        _dir.Dispose();
    }

    [Fact]
    public async Task Restart_DuringSlowDownload_NewProcessServesNewConnectionsWhileOldOneFinishes()
    {
        var download = new SlowDownload(chunks: 80, chunkSize: 16 * 1024, pause: TimeSpan.FromMilliseconds(100));
        await using var backend = await TestBackend.StartAsync(context =>
            context.Request.Path == "/big.iso" ? download.ServeAsync(context) : context.Response.WriteAsync("backend ok " + context.Request.Path));
        await using var old = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, SharedPortSettings());
        var fetch = download.FetchAsync(old.PublicUrl + "/big.iso");
        await download.FirstBytesReceived.Task.WaitAsync(Deadline);

        // New connections come and go in the old process while the script looks at its sockets.
        using var stopChurn = new CancellationTokenSource();
        var churn = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ChurnConnectionsAsync(old.PublicUrl + "/churn", stopChurn.Token)));

        var restart = await RestartAsync("--pid-file", PidFile, "--log", NewLog);
        await stopChurn.CancelAsync();
        await churn;

        Assert.True(restart.ExitCode == 0, restart.Stderr + restart.Stdout);
        Assert.DoesNotContain("was not signalled", restart.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(old.Pid, _newPid);
        Assert.True(await old.WaitForOutputAsync("Draining: new connections are no longer accepted", Deadline), old.Output);
        Assert.False(fetch.IsCompleted, "the download ended before the restart; make it slower");
        for (var i = 0; i < 20; i++)
        {
            // A new connection each time: the old process accepts none, so the new one answers.
            using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });
            Assert.Equal("backend ok /after-restart", await client.GetStringAsync(old.PublicUrl + "/after-restart"));
        }

        // The request line is written after the answer, by the log's own writer thread.
        Assert.True(await Eventually.TrueAsync(() => File.ReadAllText(NewLog).Contains("/after-restart", StringComparison.Ordinal), Deadline),
            $"the new process did not log the requests after the restart (the old one did: {old.Output.Contains("/after-restart", StringComparison.Ordinal)}): {File.ReadAllText(NewLog)}");
        var (bytes, sha256, error) = await fetch.WaitAsync(Deadline);
        Assert.Null(error);
        Assert.Equal(download.Content.Length, bytes);
        Assert.Equal(download.Sha256, sha256);
        Assert.True(await old.WaitForExitAsync(Deadline), "the old process did not exit after its last request");
        Assert.Contains("every request in flight finished; exiting", old.Output, StringComparison.Ordinal);
        Assert.Equal(_newPid.ToString(), (await File.ReadAllTextAsync(PidFile)).Trim());
    }

    [Fact]
    public async Task DownDrain_AfterRestart_WaitsForTheOldProcessStillStreamingADownload()
    {
        var download = new SlowDownload(chunks: 60, chunkSize: 16 * 1024, pause: TimeSpan.FromMilliseconds(100));
        await using var backend = await TestBackend.StartAsync(download.ServeAsync);
        await using var old = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, SharedPortSettings());
        var fetch = download.FetchAsync(old.PublicUrl + "/big.iso");
        await download.FirstBytesReceived.Task.WaitAsync(Deadline);
        var restart = await RestartAsync("--pid-file", PidFile, "--log", NewLog);
        Assert.True(restart.ExitCode == 0, restart.Stderr + restart.Stdout);
        Assert.True(await old.WaitForOutputAsync("Draining: new connections are no longer accepted", Deadline), old.Output);

        // The new process answers the admin listener; it forwarded nothing, the old one still streams.
        var tooShort = await Scripts.DownAsync(old, "--drain=1");

        Assert.True(tooShort.ExitCode == 1, tooShort.Stderr + tooShort.Stdout);
        Assert.Contains($"previous process (PID {old.Pid})", tooShort.Stderr, StringComparison.Ordinal);
        Assert.False(fetch.IsCompleted, "the download ended before the drain; make it slower");

        var drained = await Scripts.DownAsync(old, "--drain=30");

        Assert.True(drained.ExitCode == 0, drained.Stderr + drained.Stdout);
        Assert.Contains("Drained: no request is in flight", drained.Stdout, StringComparison.Ordinal);
        Assert.True(await old.WaitForExitAsync(TimeSpan.FromSeconds(2)), "down.sh --drain returned 0 while the old process still ran");
        var (bytes, sha256, error) = await fetch.WaitAsync(TimeSpan.FromSeconds(2));
        Assert.Null(error);
        Assert.Equal(download.Content.Length, bytes);
        Assert.Equal(download.Sha256, sha256);
    }

    [Fact]
    public async Task DownDrain_AfterTwoRestarts_WaitsForTheFirstProcessStillStreaming()
    {
        var download = new SlowDownload(chunks: 80, chunkSize: 16 * 1024, pause: TimeSpan.FromMilliseconds(100));
        await using var backend = await TestBackend.StartAsync(download.ServeAsync);
        await using var first = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, SharedPortSettings());
        var fetch = download.FetchAsync(first.PublicUrl + "/big.iso");
        await download.FirstBytesReceived.Task.WaitAsync(Deadline);
        var once = await RestartAsync("--pid-file", PidFile, "--log", NewLog);
        Assert.True(once.ExitCode == 0, once.Stderr + once.Stdout);
        var second = _newPid!.Value;

        // The second process is idle: it drains at once and exits, the first one still streams.
        var twice = await RestartAsync("--pid-file", PidFile, "--log", NewLog, "--wait");

        Assert.True(twice.ExitCode == 0, twice.Stderr + twice.Stdout);
        Assert.NotEqual(second, _newPid);
        var tooShort = await Scripts.DownAsync(first, "--drain=1");
        Assert.True(tooShort.ExitCode == 1, tooShort.Stderr + tooShort.Stdout);
        Assert.Contains($"previous process (PID {first.Pid})", tooShort.Stderr, StringComparison.Ordinal);
        Assert.False(fetch.IsCompleted, "the download ended before the drain; make it slower");
        var drained = await Scripts.DownAsync(first, "--drain=30");
        Assert.True(drained.ExitCode == 0, drained.Stderr + drained.Stdout);
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(2)), "down.sh --drain returned 0 while the first process still ran");
        Assert.Null((await fetch.WaitAsync(TimeSpan.FromSeconds(2))).Error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Restart_OfAProcessAlreadyDraining_SignalsNothingStartsNothingAndSaysSo(bool byPidFile)
    {
        var download = new SlowDownload(chunks: 50, chunkSize: 16 * 1024, pause: TimeSpan.FromMilliseconds(100));
        await using var backend = await TestBackend.StartAsync(download.ServeAsync);
        await using var old = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, SharedPortSettings());
        var fetch = download.FetchAsync(old.PublicUrl + "/big.iso");
        await download.FirstBytesReceived.Task.WaitAsync(Deadline);
        old.Signal("TERM"); // kill -TERM by hand, or an earlier restart.sh
        Assert.True(await old.WaitForOutputAsync("Draining: new connections are no longer accepted", Deadline), old.Output);

        var restart = byPidFile
            ? await RestartAsync("--pid-file", PidFile, "--log", NewLog)
            : await RestartAsync("--pid", old.Pid.ToString(CultureInfo.InvariantCulture), "--log", NewLog);

        Assert.True(restart.ExitCode == 1, restart.Stderr + restart.Stdout);
        Assert.Contains("drain", restart.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(NewLog), "a new process was started");
        Assert.False(File.Exists(PidFile), "the PID file still names the draining process");
        Assert.False(fetch.IsCompleted, "the download ended before the restart; make it slower");
        var (bytes, sha256, error) = await fetch.WaitAsync(Deadline);
        Assert.Null(error);
        Assert.Equal(download.Content.Length, bytes);
        Assert.Equal(download.Sha256, sha256);
        Assert.True(await old.WaitForExitAsync(Deadline), "the old process did not exit after its last request");
        Assert.Contains("every request in flight finished; exiting", old.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Second SIGTERM", old.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_InMaintenance_NewProcessComesUpInMaintenance()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var old = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, SharedPortSettings());
        Assert.Equal(0, (await Scripts.DownAsync(old)).ExitCode);

        var restart = await RestartAsync("--pid-file", PidFile, "--log", NewLog, "--wait");

        Assert.True(restart.ExitCode == 0, restart.Stderr + restart.Stdout);

        // Without --wait the script returns as soon as the old process stops listening, a
        // Lifetime:KeepAliveDrainGrace (1 s) before it exits.
        Assert.False(ProcessByPid.IsRunning(old.Pid), "restart.sh --wait returned before the old process exited");
        using var client = new HttpClient();
        using (var response = await client.GetAsync(old.PublicUrl + "/"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(response.Headers.Contains("X-Maintenance-Mode"));
        }

        Assert.Equal(0, (await Scripts.UpAsync(old)).ExitCode);
        Assert.Equal("backend ok /", await client.GetStringAsync(old.PublicUrl + "/"));
    }

    [Fact]
    public async Task Restart_ProxyWithoutReusePort_FailsClearlyAndOldOneKeepsServing()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var old = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Lifetime:PidFile"] = PidFile,
        });

        var restart = await RestartAsync("--pid-file", PidFile, "--log", NewLog);

        Assert.Equal(1, restart.ExitCode);
        Assert.Contains("Lifetime:ReusePort", restart.Stderr, StringComparison.Ordinal);
        Assert.Contains("address already in use", await File.ReadAllTextAsync(NewLog), StringComparison.OrdinalIgnoreCase);
        Assert.False(old.HasExited);
        Assert.DoesNotContain("Draining", old.Output, StringComparison.Ordinal);
        using var client = new HttpClient();
        Assert.Equal("backend ok /still-here", await client.GetStringAsync(old.PublicUrl + "/still-here"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restart_LogRotatedWhileTheNewProcessStarts_StillQuotesItsReason(bool renamed)
    {
        await using var backend = await TestBackend.StartAsync();
        await using var old = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, SharedPortSettings());
        await File.WriteAllTextAsync(NewLog, string.Concat(Enumerable.Repeat("[03:00:00.000 INF] GET /earlier → 200 forwarded in 1.0 ms\n", 200)));
        var started = _dir.File("new-started");
        var go = _dir.File("new-go");
        // A new process that fails once the test has rotated the log, after restart.sh noted the log's size.
        const string NewProcess = """
            : > "$0"; i=0
            while [ ! -e "$1" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
            echo "MaintProxy cannot start: the certificate key does not match" >&2; exit 1
            """;
        var restartTask = RestartAsync("--pid-file", PidFile, "--log", NewLog, "--", "bash", "-c", NewProcess, started, go);

        Assert.True(await Eventually.TrueAsync(() => File.Exists(started), Deadline), "the new process did not start");
        if (renamed)
        {
            File.Move(NewLog, NewLog + ".1"); // logrotate's default: rename, then a new file
            await File.WriteAllTextAsync(NewLog, "");
        }
        else
        {
            await using var log = new FileStream(NewLog, FileMode.Open, FileAccess.Write);
            log.SetLength(0); // logrotate's copytruncate
        }

        await File.WriteAllTextAsync(go, "");
        var restart = await restartTask.WaitAsync(Deadline);

        Assert.True(restart.ExitCode == 1, restart.Stderr + restart.Stdout);
        Assert.Contains("MaintProxy cannot start: the certificate key does not match", restart.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("/earlier", restart.Stderr, StringComparison.Ordinal);
        Assert.Equal(old.Pid.ToString(CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(PidFile)).Trim());
    }

    [Fact]
    public async Task Restart_OldProcessWritingItsLogWithoutAppend_NewProcessLogsElsewhere_AndItsReasonStays()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var first = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, SharedPortSettings());
        var command = (await File.ReadAllTextAsync($"/proc/{first.Pid}/cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var operatorsLog = _dir.File("proxy.log");

        // The process that serves, started as 'dotnet MaintProxy.dll > proxy.log 2>&1': it writes at its own offset.
        var once = await RestartAsync(["--pid-file", PidFile, "--log", NewLog, "--wait", "--", "bash", "-c", "exec \"$@\" > \"$0\" 2>&1", operatorsLog, .. command]);
        Assert.True(once.ExitCode == 0, once.Stderr + once.Stdout + await File.ReadAllTextAsync(NewLog));
        Assert.True(await Eventually.TrueAsync(() => File.ReadAllText(operatorsLog).Contains("Ready to serve", StringComparison.Ordinal), Deadline), File.ReadAllText(operatorsLog));
        var serving = _newPid!.Value;

        var failed = await RestartAsync("--pid-file", PidFile, "--", "bash", "-c", "echo 'MaintProxy cannot start: the certificate key does not match' >&2; exit 1");
        var logged = Regex.Match(failed.Stderr, @"\(log: ([^)]+)\)");
        Assert.True(logged.Success, failed.Stderr);
        var newProcessLog = logged.Groups[1].Value;
        try
        {
            Assert.True(failed.ExitCode == 1, failed.Stderr + failed.Stdout);
            Assert.Contains("MaintProxy cannot start: the certificate key does not match", failed.Stderr, StringComparison.Ordinal);
            Assert.Contains($"process {serving} writes {operatorsLog} at its own offset", failed.Stderr, StringComparison.Ordinal);

            // The serving process's next lines go where it left off: they would cover what the new process wrote after them.
            using (var client = new HttpClient())
            {
                Assert.Equal("backend ok /after", await client.GetStringAsync(first.PublicUrl + "/after"));
            }

            Assert.True(await Eventually.TrueAsync(() => File.ReadAllText(operatorsLog).Contains("/after", StringComparison.Ordinal), Deadline), File.ReadAllText(operatorsLog));
            Assert.Contains("MaintProxy cannot start: the certificate key does not match", await File.ReadAllTextAsync(newProcessLog), StringComparison.Ordinal);
            Assert.Equal(serving.ToString(CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(PidFile)).Trim());
        }
        finally
        {
            if (newProcessLog != operatorsLog)
            {
                File.Delete(newProcessLog);
            }
        }
    }

    [Fact]
    public async Task Restart_NewProcessNotReadyWithinTimeout_IsStoppedAndOldOneKeepsServing()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var old = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, SharedPortSettings());

        // A new process that never writes the PID file: it hangs in its start-up.
        var restart = await RestartAsync("--pid-file", PidFile, "--log", NewLog, "--timeout", "1", "--", "bash", "-c", "sleep 60", "never-ready");

        Assert.True(restart.ExitCode == 1, restart.Stderr + restart.Stdout);
        var notReady = Regex.Match(restart.Stderr, @"the new process (\d+) was not ready within 1s");
        Assert.True(notReady.Success, restart.Stderr);
        _newPid = int.Parse(notReady.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(await Eventually.TrueAsync(() => !ProcessByPid.IsRunning(_newPid.Value), Deadline), $"the new process {_newPid} that never became ready still runs");
        Assert.Equal(old.Pid.ToString(CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(PidFile)).Trim());
        Assert.False(old.HasExited);
        Assert.DoesNotContain("Draining", old.Output, StringComparison.Ordinal);
        using var client = new HttpClient();
        Assert.Equal("backend ok /still-here", await client.GetStringAsync(old.PublicUrl + "/still-here"));
    }

    [Fact]
    public async Task Restart_ByRootOfAProxyRunningAsAnotherUser_NewProcessRunsAsThatUserAndServes()
    {
        // The proxy runs as nobody, restart.sh as root (sudo maint/restart.sh): tests running as root only.
        // The new process used to run as root, and could not bind: SO_REUSEPORT shares a port within one user.
        if (!Environment.IsPrivilegedProcess || OperatingSystem.IsWindows())
        {
            return;
        }

        var run = Directory.CreateDirectory(_dir.File("run")).FullName;
        File.SetUnixFileMode(run, (UnixFileMode)0b111_111_111);
        var pidFile = Path.Combine(run, "maintproxy.pid");
        await using var backend = await TestBackend.StartAsync();
        await using var old = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Lifetime:ReusePort"] = "true",
            ["Lifetime:PidFile"] = pidFile,
        }, asNobody: true);
        var oldPid = await File.ReadAllTextAsync(pidFile);

        var restart = await RestartAsync("--pid-file", pidFile, "--log", NewLog);
        var newPid = (await File.ReadAllTextAsync(pidFile)).Trim();
        if (newPid != oldPid.Trim())
        {
            _newPid = int.Parse(newPid, CultureInfo.InvariantCulture);
        }

        Assert.True(restart.ExitCode == 0, restart.Stderr + restart.Stdout + await File.ReadAllTextAsync(NewLog));
        var status = await File.ReadAllLinesAsync($"/proc/{newPid}/status");
        Assert.Equal("65534", status.Single(line => line.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[2]);
        Assert.True(await old.WaitForExitAsync(Deadline), "the old process did not exit after the restart");
        using var client = new HttpClient();
        Assert.Equal("backend ok /after", await client.GetStringAsync(old.PublicUrl + "/after"));
    }

    [Fact]
    public async Task Restart_ByRootOfAServiceUsersProxyOnPort80_NewProcessKeepsItsBindCapabilityAndServes()
    {
        // A service user binds port 80 with an ambient CAP_NET_BIND_SERVICE; setpriv alone drops it, and the
        // new process failed to bind (permission denied). Port 80 and 8081 in a network namespace of their own: root only.
        if (!Environment.IsPrivilegedProcess || OperatingSystem.IsWindows())
        {
            return;
        }

        var run = Directory.CreateDirectory(_dir.File("run")).FullName;
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(run, (UnixFileMode)0b111_111_111);
        var driver = _dir.File("driver.sh");
        await File.WriteAllTextAsync(driver, """
            set -u
            ip link set lo up
            cd "$3"
            setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+net_bind_service --ambient-caps=+net_bind_service \
              dotnet "$1" --Kestrel:Endpoints:Public:Url=http://127.0.0.1:80 --Admin:Url=http://127.0.0.1:8081 --DemoBackend:Enabled=false \
              --Lifetime:ReusePort=true --Lifetime:PidFile="$4/maintproxy.pid" >old.log 2>&1 &
            old=$!
            for _ in $(seq 300); do [ -s "$4/maintproxy.pid" ] && break; sleep 0.1; done
            bash "$2" --pid-file "$4/maintproxy.pid" --log "$3/new.log" --timeout 30
            echo "restart=$?"
            new=$(cat "$4/maintproxy.pid")
            grep -E '^(Uid|CapAmb):' "/proc/$new/status"
            [ "$new" = "$old" ] || kill "$new"
            kill "$old" 2>/dev/null
            wait
            """);
        var start = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--net", "bash", driver, RepoPaths.ProxyDll, RestartScript, _dir.Path, run })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        start.Environment["TMPDIR"] = run;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            await process.WaitForExitAsync(cts.Token);
        }

        var output = await stdout + await stderr;
        Assert.True(output.Contains("restart=0", StringComparison.Ordinal), output + (File.Exists(NewLog) ? await File.ReadAllTextAsync(NewLog) : ""));
        Assert.Matches(@"Uid:\t65534\t65534", output);
        Assert.Contains("CapAmb:\t0000000000000400", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_AfterCertificateRenewal_NewConnectionsGetTheRenewedCertificate()
    {
        await using var backend = await TestBackend.StartAsync();
        using var first = TestCertificate.Create(_dir);
        var httpsUrl = $"https://127.0.0.1:{FreePort.Next()}";
        var settings = SharedPortSettings();
        foreach (var (key, value) in first.EndpointSettings("Secure", httpsUrl))
        {
            settings[key] = value;
        }

        await using var old = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, settings);
        using (var trustsFirst = first.CreateClient())
        {
            Assert.Equal("backend ok /before", await trustsFirst.GetStringAsync(httpsUrl + "/before"));
        }

        using var renewed = TestCertificate.Create(_dir); // certbot's renewal: new files at the same paths
        var restart = await RestartAsync("--pid-file", PidFile, "--log", NewLog, "--wait");

        Assert.True(restart.ExitCode == 0, restart.Stderr + restart.Stdout);
        using var trustsRenewed = renewed.CreateClient();
        Assert.Equal("backend ok /after", await trustsRenewed.GetStringAsync(httpsUrl + "/after"));
    }

    [Fact]
    public async Task Restart_WithARenewedCertificateThatCannotBeLoaded_SaysWhyAndOldOneKeepsServing()
    {
        await using var backend = await TestBackend.StartAsync();
        using var certificate = TestCertificate.Create(_dir);
        var httpsUrl = $"https://127.0.0.1:{FreePort.Next()}";
        var settings = SharedPortSettings();
        foreach (var (key, value) in certificate.EndpointSettings("Secure", httpsUrl))
        {
            settings[key] = value;
        }

        await using var first = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, settings);

        // A restart once: the process that serves then writes to a log file, and restart.sh's default --log is that file.
        var once = await RestartAsync("--pid-file", PidFile, "--log", NewLog, "--wait");
        Assert.True(once.ExitCode == 0, once.Stderr + once.Stdout);
        var serving = _newPid!.Value;

        // A renewal that went wrong twice: a key that is not the certificate's, then no key file at all.
        using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(certificate.KeyPath, other.ExportPkcs8PrivateKeyPem());
        }

        var mismatch = await RestartAsync("--pid-file", PidFile);
        Assert.True(mismatch.ExitCode == 1, mismatch.Stderr + mismatch.Stdout);
        Assert.Contains("Kestrel:Endpoints:Secure:Certificate", mismatch.Stderr, StringComparison.Ordinal);
        Assert.Contains("does not match", mismatch.Stderr, StringComparison.Ordinal);

        // The process that serves writes a request line to the same log between the two attempts.
        using (var client = certificate.CreateClient())
        {
            Assert.Equal("backend ok /between", await client.GetStringAsync(httpsUrl + "/between"));
        }

        Assert.True(await Eventually.TrueAsync(() => File.ReadAllText(NewLog).Contains("/between", StringComparison.Ordinal), Deadline), File.ReadAllText(NewLog));
        File.Delete(certificate.KeyPath);
        var missing = await RestartAsync("--pid-file", PidFile);

        Assert.True(missing.ExitCode == 1, missing.Stderr + missing.Stdout);
        Assert.Contains($"MaintProxy cannot start: Kestrel:Endpoints:Secure:Certificate: the certificate {certificate.CertificatePath} cannot be loaded", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains(certificate.KeyPath, missing.Stderr, StringComparison.Ordinal);
        // Only this attempt's reason: the earlier attempt's line and the serving process's lines are not this failure.
        Assert.DoesNotContain("does not match", missing.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("/between", missing.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Lifetime:ReusePort", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(serving.ToString(CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(PidFile)).Trim());
        Assert.True(ProcessByPid.IsRunning(serving), "the process that served was stopped");
        using (var client = certificate.CreateClient())
        {
            Assert.Equal("backend ok /still-here", await client.GetStringAsync(httpsUrl + "/still-here"));
        }
    }

    /// <summary>A new connection per request, one after another, until cancelled (at most 5,000).</summary>
    private static async Task ChurnConnectionsAsync(string url, CancellationToken stop)
    {
        for (var i = 0; i < 5000 && !stop.IsCancellationRequested; i++)
        {
            using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });
            try
            {
                using var _ = await client.GetAsync(url, stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException)
            {
                // Cancelled, or a connection the restart reset: only the churn matters here.
            }
        }
    }

    private Dictionary<string, string> SharedPortSettings() => new()
    {
        ["Lifetime:ReusePort"] = "true",
        ["Lifetime:PidFile"] = PidFile,
    };

    private async Task<ScriptResult> RestartAsync(params string[] args)
    {
        var result = await Scripts.RunAsync(RestartScript, adminUrl: "", args);
        if (File.Exists(PidFile) && int.TryParse(await File.ReadAllTextAsync(PidFile), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
        {
            _newPid = pid;
        }
        else if (Regex.Match(result.Stdout, @"process (\d+) serves") is { Success: true } started)
        {
            _newPid = int.Parse(started.Groups[1].Value, CultureInfo.InvariantCulture); // --pid: a temporary PID file
        }

        return result;
    }
}
