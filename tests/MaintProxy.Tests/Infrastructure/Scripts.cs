using System.Diagnostics;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>Runs the real up.sh and down.sh as processes.</summary>
internal static class Scripts
{
    public static Task<ScriptResult> DownAsync(string adminUrl, params string[] args) => RunAsync(RepoPaths.DownScript, adminUrl, args);

    public static Task<ScriptResult> UpAsync(string adminUrl, params string[] args) => RunAsync(RepoPaths.UpScript, adminUrl, args);

    public static Task<ScriptResult> DownAsync(ProxyProcess proxy, params string[] args) => DownAsync(proxy.AdminUrl, args);

    public static Task<ScriptResult> UpAsync(ProxyProcess proxy, params string[] args) => UpAsync(proxy.AdminUrl, args);

    public static async Task<ScriptResult> RunAsync(string script, string adminUrl, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["MAINTPROXY_ADMIN_URL"] = adminUrl;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(cts.Token);
        var exited = Stopwatch.GetTimestamp();
        return new ScriptResult(process.ExitCode, await stdout, await stderr, exited, Stopwatch.GetElapsedTime(started, exited));
    }
}
