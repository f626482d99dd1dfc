using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Lifetime;

/// <summary>
/// <c>maint/restart.sh</c> with the public listener on HTTPS: new TLS connections (HTTP/1.1 and HTTP/2 by ALPN)
/// made before, during and after the overlap are all answered, and a slow HTTPS download in flight gets every byte.
/// </summary>
/// <remarks>
/// Everything runs in a network namespace of its own, with <c>net.ipv4.tcp_migrate_req=1</c> as README
/// asks: without it, a connection that sits in the old listener's accept queue when it closes is reset
/// (README's Linux caveat), which would make a count of zero depend on the machine's setting. So root only,
/// and the clients are curl processes inside the namespace, the backend a small python3 server.
/// </remarks>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OverlapRestartHttpsEndToEndTests : IDisposable
{
    private const int Loops = 4;
    private const int DownloadBytes = 60 * 16 * 1024;
    private static readonly string RestartScript = Path.Combine(RepoPaths.Root, "maint", "restart.sh");
    private static readonly string[] ProxyLogs = ["old.log", "new.log"];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Restart_WithHttpsListener_AnswersEveryNewTlsConnectionAndFinishesTheSlowDownload()
    {
        if (!Environment.IsPrivilegedProcess || !OnPath("curl") || !OnPath("python3") || !OnPath("unshare"))
        {
            return;
        }

        using var certificate = TestCertificate.Create(_dir);
        var run = Directory.CreateDirectory(_dir.File("run")).FullName;
        Directory.CreateDirectory(_dir.File("maint"));
        var driver = _dir.File("driver.sh");
        await File.WriteAllTextAsync(driver, DriverScript);
        var start = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--net", "bash", driver, RepoPaths.ProxyDll, RestartScript, _dir.Path, run, certificate.CertificatePath, certificate.KeyPath, RepoPaths.MaintPage })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["TMPDIR"] = run;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(180)))
        {
            await process.WaitForExitAsync(cts.Token);
        }

        var output = await stdout + await stderr;
        var logs = string.Join('\n', ProxyLogs.Select(_dir.File).Where(File.Exists).Select(File.ReadAllText));
        Assert.True(output.Contains("restart=0", StringComparison.Ordinal), output + logs);
        Assert.Contains("download-running-after-restart=1", output, StringComparison.Ordinal);
        for (var loop = 1; loop <= Loops; loop++)
        {
            var answers = Regex.Match(output, $@"loop{loop}: before=(\d+) after=(\d+) failed=(\d+) versions=(\S+)");
            Assert.True(answers.Success, output);
            Assert.True(int.Parse(answers.Groups[1].Value, CultureInfo.InvariantCulture) >= 20 && int.Parse(answers.Groups[2].Value, CultureInfo.InvariantCulture) >= 20, output);
            Assert.True(answers.Groups[3].Value == "0", $"new TLS connections that got no 200 across the restart: {output}{logs}");
            Assert.Equal(loop % 2 == 0 ? "2" : "1.1", answers.Groups[4].Value);
        }

        Assert.Contains($"download: code=200 bytes={DownloadBytes} sha256-matches=1", output, StringComparison.Ordinal);
        Assert.Contains("every request in flight finished; exiting", logs, StringComparison.Ordinal);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(folder => File.Exists(Path.Combine(folder, tool)));

    // Ports are fixed: the namespace is this test's own. Loops 2 and 4 speak HTTP/2 (ALPN h2), 1 and 3 HTTP/1.1;
    // each curl is a new TCP connection and a full TLS handshake. Every loop is bounded.
    private static string DriverScript => $$"""
        set -u
        dll=$1 restart=$2 work=$3 run=$4 crt=$5 key=$6 page=$7
        ip link set lo up
        sysctl -qw net.ipv4.tcp_migrate_req=1
        cd "$work"
        python3 -c '
        import hashlib, sys, time
        from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
        chunk = bytes(range(256)) * 64
        open(sys.argv[1], "w").write(hashlib.sha256(chunk * 60).hexdigest())
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def do_GET(self):
                big = self.path == "/big"
                self.send_response(200)
                self.send_header("Content-Length", str(len(chunk) * 60 if big else 2))
                self.end_headers()
                if not big:
                    self.wfile.write(b"ok")
                    return
                for _ in range(60):
                    self.wfile.write(chunk); self.wfile.flush(); time.sleep(0.1)
        ThreadingHTTPServer.daemon_threads = True
        ThreadingHTTPServer(("127.0.0.1", 18080), Handler).serve_forever()
        ' "$run/expected.sha256" &
        backend=$!
        trap 'kill $backend ${new:-} 2>/dev/null' EXIT
        dotnet "$dll" --Kestrel:Endpoints:Public:Url=http://127.0.0.1:18081 --Kestrel:Endpoints:Secure:Url=https://127.0.0.1:18443 \
          --Kestrel:Endpoints:Secure:Certificate:Path="$crt" --Kestrel:Endpoints:Secure:Certificate:KeyPath="$key" \
          --Admin:Url=http://127.0.0.1:18082 --DemoBackend:Enabled=false --Maintenance:PagePath="$page" \
          --ReverseProxy:Clusters:app:Destinations:app:Address=http://127.0.0.1:18080 \
          --Lifetime:ReusePort=true --Lifetime:PidFile="$run/maintproxy.pid" >>old.log 2>&1 </dev/null &
        old=$!
        for _ in $(seq 300); do [ -s "$run/maintproxy.pid" ] && [ -s "$run/expected.sha256" ] && break; sleep 0.1; done
        curl -sk --max-time 10 -o /dev/null https://127.0.0.1:18443/warm-up
        curl -sk --max-time 60 --http1.1 --limit-rate 80k -o "$run/big" -w '%{http_code}' https://127.0.0.1:18443/big >"$run/big.code" &
        download=$!
        loop() { # number curl-version-option
          local i after=0
          for i in $(seq 2000); do
            if [ -e "$run/restarted" ]; then after=$((after + 1)); fi
            # A refused, reset or timed-out connection writes 000 too.
            curl -sk --max-time 10 "$2" -o /dev/null -w '%{http_code} %{http_version}\n' "https://127.0.0.1:18443/loop$1/$i" >>"$run/loop$1" 2>/dev/null
            [ "$after" -lt 20 ] || break
          done
          echo "$after" >"$run/loop$1.after"
        }
        pids=()
        for n in $(seq {{Loops}}); do
          if [ $((n % 2)) = 0 ]; then loop "$n" --http2 & else loop "$n" --http1.1 & fi
          pids+=($!)
        done
        for _ in $(seq 300); do
          ready=1
          for n in $(seq {{Loops}}); do [ "$(cat "$run/loop$n" 2>/dev/null | wc -l)" -ge 20 ] || ready=0; done
          [ "$ready" = 1 ] && break
          sleep 0.1
        done
        before=()
        for n in $(seq {{Loops}}); do before+=("$(wc -l <"$run/loop$n")"); done
        bash "$restart" --pid-file "$run/maintproxy.pid" --log "$work/new.log" --timeout 30
        echo "restart=$?"
        touch "$run/restarted"
        if kill -0 "$download" 2>/dev/null; then echo "download-running-after-restart=1"; fi
        new=$(cat "$run/maintproxy.pid")
        wait "${pids[@]}"
        for n in $(seq {{Loops}}); do
          failed=$(grep -vc '^200 ' "$run/loop$n")
          versions=$(cut -d' ' -f2 "$run/loop$n" | sort -u | paste -sd,)
          echo "loop$n: before=${before[$((n - 1))]} after=$(cat "$run/loop$n.after") failed=$failed versions=$versions total=$(wc -l <"$run/loop$n")"
          grep -v '^200 ' "$run/loop$n" | head -n 5
        done
        wait "$download"
        got=$(sha256sum <"$run/big" | cut -d' ' -f1)
        echo "download: code=$(cat "$run/big.code") bytes=$(stat -c %s "$run/big") sha256-matches=$([ "$got" = "$(cat "$run/expected.sha256")" ] && echo 1 || echo 0)"
        for _ in $(seq 300); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
        """;
}
