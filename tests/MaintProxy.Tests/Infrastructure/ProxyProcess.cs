using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// The real, built proxy as a child process on free loopback ports, with its own working directory
/// (so <c>maint/down</c> is the test's own sentinel) and its console output captured.
/// </summary>
internal sealed class ProxyProcess : IAsyncDisposable
{
    /// <summary>The shortest wait for a log line (waits end as soon as the line is there).</summary>
    public static readonly TimeSpan MinimumOutputWait = TimeSpan.FromSeconds(30);

    private readonly CapturedProcess _process;
    private bool _standardOutputHeld;

    private ProxyProcess(CapturedProcess process, string workDirectory, int publicPort, int adminPort, string adminUrl, bool standardOutputHeld)
    {
        _process = process;
        _standardOutputHeld = standardOutputHeld;
        WorkDirectory = workDirectory;
        PublicPort = publicPort;
        AdminPort = adminPort;
        AdminUrl = adminUrl;
    }

    public int Pid => _process.Pid;

    public string WorkDirectory { get; }

    public int PublicPort { get; }

    public int AdminPort { get; }

    public string PublicUrl => $"http://127.0.0.1:{PublicPort}";

    /// <summary><c>http://127.0.0.1:</c><see cref="AdminPort"/>, or the <c>Admin:Url</c> the test set.</summary>
    public string AdminUrl { get; }

    public string SentinelPath => Path.Combine(WorkDirectory, "maint", "down");

    /// <summary>The proxy's temporary folder (its <c>TMPDIR</c>), inside its working directory.</summary>
    public string TempPath => TempPathOf(WorkDirectory);

    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts the proxy in <paramref name="workDirectory"/> in front of <paramref name="backendUrl"/>.
    /// <paramref name="settings"/> override appsettings.json as command-line configuration;
    /// <paramref name="environment"/> adds variables to the process's environment; <paramref name="proxyDll"/>
    /// runs another copy of the build (see <see cref="ProxyBuildCopy"/>) instead of the one in src/;
    /// <paramref name="openFileLimit"/> starts it with that open-file limit (soft and hard, through <c>prlimit</c>);
    /// <paramref name="holdStandardOutput"/> leaves its standard output unread (a pipe that fills up) until
    /// <see cref="ReadStandardOutput"/>; <paramref name="asNobody"/> runs it as user nobody (tests running as root only),
    /// with its working directory open to it.
    /// </summary>
    public static ProxyProcess Start(string workDirectory, string backendUrl, IReadOnlyDictionary<string, string>? settings = null,
        IReadOnlyDictionary<string, string>? environment = null, string? proxyDll = null, int? openFileLimit = null, bool holdStandardOutput = false,
        bool asNobody = false)
    {
        Directory.CreateDirectory(Path.Combine(workDirectory, "maint"));
        Directory.CreateDirectory(TempPathOf(workDirectory));
        var publicPort = FreePort.Next();
        var adminPort = FreePort.Next();
        var config = new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Public:Url"] = $"http://127.0.0.1:{publicPort}",
            ["Admin:Url"] = $"http://127.0.0.1:{adminPort}",
            ["DemoBackend:Enabled"] = "false",
            ["Maintenance:PagePath"] = RepoPaths.MaintPage,
            ["ReverseProxy:Clusters:app:Destinations:app:Address"] = backendUrl,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            config[key] = value;
        }

        var start = new ProcessStartInfo(asNobody ? "setpriv" : openFileLimit is null ? "dotnet" : "prlimit") { WorkingDirectory = workDirectory };
        if (asNobody && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(workDirectory, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(TempPathOf(workDirectory), (UnixFileMode)0b111_111_111);
            foreach (var arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", openFileLimit is null ? "dotnet" : "prlimit" })
            {
                start.ArgumentList.Add(arg);
            }
        }

        if (openFileLimit is { } limit)
        {
            start.ArgumentList.Add($"--nofile={limit}:{limit}"); // then runs (execs) dotnet as the same process
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(proxyDll ?? RepoPaths.ProxyDll);
        foreach (var (key, value) in config)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["DOTNET_gcServer"] = "0";
        // No diagnostic pipes: a proxy ended by Kill() would leave them behind in the temp folder.
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        start.Environment["TMPDIR"] = TempPathOf(workDirectory);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new ProxyProcess(CapturedProcess.Start(start, holdStandardOutput), workDirectory, publicPort, adminPort, config["Admin:Url"], holdStandardOutput);
    }

    /// <summary>
    /// Starts the proxy and waits until it serves on every listener. A free port taken by another
    /// process between <see cref="FreePort.Next"/> and the bind is tried again with new ports, twice.
    /// </summary>
    public static async Task<ProxyProcess> StartReadyAsync(string workDirectory, string backendUrl, IReadOnlyDictionary<string, string>? settings = null,
        IReadOnlyDictionary<string, string>? environment = null, string? proxyDll = null, int? openFileLimit = null, bool holdStandardOutput = false,
        bool asNobody = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            var proxy = Start(workDirectory, backendUrl, settings, environment, proxyDll, openFileLimit, holdStandardOutput, asNobody);
            try
            {
                await proxy.WaitReadyAsync();
                return proxy;
            }
            catch (InvalidOperationException) when (attempt < 3 && proxy.HasExited && proxy.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                await proxy.DisposeAsync();
            }
            catch
            {
                await proxy.DisposeAsync(); // a proxy that never became ready must not outlive the test
                throw;
            }
        }
    }

    /// <summary>Starts the proxy expecting it to refuse to start: it must exit 1. Returns what it wrote.</summary>
    public static async Task<string> StartRefusedAsync(string workDirectory, string backendUrl, IReadOnlyDictionary<string, string> settings,
        string? proxyDll = null, bool asNobody = false)
    {
        await using var proxy = Start(workDirectory, backendUrl, settings, proxyDll: proxyDll, asNobody: asNobody);
        Assert.True(await proxy.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the proxy should refuse to start");
        Assert.Equal(1, proxy.ExitCode);
        return proxy.Output;
    }

    public async Task WaitReadyAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var ready = await Eventually.TrueAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The proxy exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                // The admin listener is bound first; "Ready to serve" follows once every listener is.
                using var response = await client.GetAsync(AdminUrl + "/status");
                return response.IsSuccessStatusCode && (_standardOutputHeld ? await ServesPublicAsync(client) : _process.OutputContains("Ready to serve"));
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
        if (!ready)
        {
            throw new TimeoutException("The proxy did not become ready:\n" + Output);
        }
    }

    /// <summary>Starts reading the standard output held by <see cref="Start"/>.</summary>
    public void ReadStandardOutput()
    {
        if (_standardOutputHeld)
        {
            _standardOutputHeld = false;
            _process.ReadStandardOutput();
        }
    }

    public async Task<JsonElement> StatusAsync()
    {
        using var client = new HttpClient();
        return await client.GetFromJsonAsync<JsonElement>(AdminUrl + "/status");
    }

    /// <summary>
    /// Waits for a line containing <paramref name="text"/>: for <paramref name="timeout"/>, but never less than
    /// <see cref="MinimumOutputWait"/>, since a line that is on its way can take that long on a machine busy with other tests.
    /// </summary>
    public Task<bool> WaitForOutputAsync(string text, TimeSpan timeout) =>
        Eventually.TrueAsync(() => _process.OutputContains(text), timeout > MinimumOutputWait ? timeout : MinimumOutputWait);

    /// <summary>Sends a signal (e.g. "TERM", "INT") to this process, and only this one.</summary>
    public void Signal(string name) => _process.Signal(name);

    public Task<bool> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    // Any answer will do: the public listener is bound.
    private async Task<bool> ServesPublicAsync(HttpClient client)
    {
        using var response = await client.GetAsync(PublicUrl + "/");
        return true;
    }

    private static string TempPathOf(string workDirectory) => Path.Combine(workDirectory, "tmp");
}
