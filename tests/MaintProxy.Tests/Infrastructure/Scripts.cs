using System.Diagnostics;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>Runs the real up.sh and down.sh as processes.</summary>
internal static class Scripts
{
    public static Task<ScriptResult> DownAsync(string adminUrl, params string[] args) => RunAsync(RepoPaths.DownScript, adminUrl, args);

    public static Task<ScriptResult> UpAsync(string adminUrl, params string[] args) => RunAsync(RepoPaths.UpScript, adminUrl, args);

    public static Task<ScriptResult> DownAsync(ProxyProcess proxy, params string[] args) => DownAsync(proxy.AdminUrl, args);

    public static Task<ScriptResult> UpAsync(ProxyProcess proxy, params string[] args) => UpAsync(proxy.AdminUrl, args);

    public static Task<ScriptResult> RunAsync(string script, string adminUrl, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        RunAsync(["bash"], script, adminUrl, args, environment);

    /// <summary>
    /// Runs <paramref name="script"/> with <paramref name="command"/> (e.g. <c>["sh"]</c>, or <c>setpriv … bash</c> to
    /// run it as another user). A run that outlasts <paramref name="limit"/> (default 120 s) is killed, and that fails the test.
    /// </summary>
    public static async Task<ScriptResult> RunAsync(IReadOnlyList<string> command, string script, string adminUrl, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? limit = null)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

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
        var within = limit ?? TimeSpan.FromSeconds(120);
        using var cts = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{script} {string.Join(' ', args)} was still running after {within.TotalSeconds} s:\n{await stdout}{await stderr}");
        }

        var exited = Stopwatch.GetTimestamp();
        return new ScriptResult(process.ExitCode, await stdout, await stderr, exited, Stopwatch.GetElapsedTime(started, exited));
    }
}
