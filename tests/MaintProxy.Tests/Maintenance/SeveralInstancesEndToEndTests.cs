using System.Diagnostics;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>
/// Several MaintProxy instances on one box, each with its own folder: the scripts of one copy never
/// switch another copy's proxy because it answers at the default admin URL.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the scripts run under bash
public sealed class SeveralInstancesEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Down_DefaultAdminUrlAnsweredByAnotherInstance_ExitsOneAndWritesNothing()
    {
        // The default admin URL is a fixed port (8081), so the proxy and the script run in a network
        // namespace of their own, where nothing else listens: that needs root.
        if (!Environment.IsPrivilegedProcess)
        {
            return;
        }

        var running = Directory.CreateDirectory(Path.Combine(_dir.Path, "running", "maint")).Parent!.FullName;
        var other = CopyOfTheScripts("other");

        var output = await RunDownAtDefaultAdminUrlAsync(running, other);

        Assert.Contains("exit=1", output, StringComparison.Ordinal);
        Assert.Contains($"down: the proxy at the default admin URL http://127.0.0.1:8081 watches {Path.Combine(running, "maint", "down")}, not {Path.Combine(other, "maint", "down")} beside this script, and was started in {running}, not {other}: it is another MaintProxy instance", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(running, "maint", "down")), "the other instance's sentinel was written:\n" + output);
        Assert.False(File.Exists(Path.Combine(other, "maint", "down")));
    }

    [Fact]
    public async Task Down_DefaultAdminUrlAnsweredByThisCopysProxyWithAbsoluteSentinelElsewhere_WritesThatSentinel()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return;
        }

        var copy = CopyOfTheScripts("copy");
        var sentinel = Path.Combine(Directory.CreateDirectory(Path.Combine(_dir.Path, "state")).FullName, "down");

        var output = await RunDownAtDefaultAdminUrlAsync(copy, copy, $"--Maintenance:SentinelPath={sentinel}");

        Assert.Contains("exit=0", output, StringComparison.Ordinal);
        Assert.True(File.Exists(sentinel), "the proxy's own sentinel was not written:\n" + output);
    }

    private string CopyOfTheScripts(string name)
    {
        var copy = Directory.CreateDirectory(Path.Combine(_dir.Path, name, "maint")).Parent!.FullName;
        File.Copy(RepoPaths.DownScript, Path.Combine(copy, "down.sh"));
        File.Copy(Path.Combine(RepoPaths.Root, "maint", "maintctl.sh"), Path.Combine(copy, "maint", "maintctl.sh"));
        return copy;
    }

    // The proxy started in proxyFolder with the default Admin:Url, then down.sh of scriptsFolder without --admin-url.
    private async Task<string> RunDownAtDefaultAdminUrlAsync(string proxyFolder, string scriptsFolder, string proxyArgument = "--Lifetime:DrainProgressInterval=00:00:05")
    {
        var driver = Path.Combine(_dir.Path, "driver.sh");
        await File.WriteAllTextAsync(driver, """
            set -u
            unset MAINTPROXY_ADMIN_URL MAINTPROXY_SENTINEL
            ip link set lo up
            (cd "$2" && exec dotnet "$1" "$4" >proxy.log 2>&1) &
            proxy=$!
            for _ in $(seq 300); do
              if { exec 3<>/dev/tcp/127.0.0.1/8081; } 2>/dev/null; then exec 3>&-; break; fi
              sleep 0.1
            done
            bash "$3/down.sh" --reason "default admin URL" --timeout 5
            echo "exit=$?"
            kill "$proxy"
            wait "$proxy"
            """);
        var start = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--net", "bash", driver, RepoPaths.ProxyDll, proxyFolder, scriptsFolder, proxyArgument })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        start.Environment["TMPDIR"] = _dir.Path;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            await process.WaitForExitAsync(cts.Token);
        }

        return await stdout + await stderr;
    }
}
