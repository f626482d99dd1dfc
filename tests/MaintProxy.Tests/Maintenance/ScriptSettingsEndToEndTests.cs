using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>
/// The scripts' own settings, each as an option and as an environment variable: every one changes what
/// the script does, so a script that dropped one would be caught.
/// </summary>
public sealed class ScriptSettingsEndToEndTests : EndToEndTest
{
    private static readonly string RestartScript = Path.Combine(RepoPaths.Root, "maint", "restart.sh");

    [Theory]
    [InlineData("--admin-url")]
    [InlineData("--admin-url=")]
    public async Task AdminUrlOption_WinsOverTheEnvironment(string option)
    {
        await using var proxy = await StartProxyAsync();
        var nobody = $"http://127.0.0.1:{FreePort.Next()}";
        string[] args = option.EndsWith('=') ? [option + proxy.AdminUrl, "--timeout", "10"] : [option, proxy.AdminUrl, "--timeout", "10"];

        var down = await Scripts.RunAsync(RepoPaths.DownScript, nobody, args);
        var up = await Scripts.RunAsync(RepoPaths.UpScript, nobody, args);

        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.Contains("Maintenance ON: confirmed", down.Stdout, StringComparison.Ordinal);
        Assert.True(up.ExitCode == 0, up.Stderr);
        Assert.False(File.Exists(proxy.SentinelPath));
    }

    [Fact]
    public async Task TimeoutVariable_IsHowLongTheScriptWaitsForAProxy()
    {
        var sentinel = Dir.File("down");
        var nobody = $"http://127.0.0.1:{FreePort.Next()}";

        var down = await Scripts.RunAsync(RepoPaths.DownScript, nobody, ["--sentinel", sentinel],
            new Dictionary<string, string> { ["MAINTPROXY_TIMEOUT"] = "0.3" });

        Assert.Equal(1, down.ExitCode);
        Assert.Contains($"no MaintProxy answered at {nobody} within 0.3s", down.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SentinelVariable_IsTheFileTheScriptsEdit()
    {
        var sentinel = Dir.File("elsewhere-down");
        var nobody = $"http://127.0.0.1:{FreePort.Next()}";
        var environment = new Dictionary<string, string> { ["MAINTPROXY_SENTINEL"] = sentinel };

        var down = await Scripts.RunAsync(RepoPaths.DownScript, nobody, ["--no-wait"], environment);
        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.True(File.Exists(sentinel), down.Stdout);

        var up = await Scripts.RunAsync(RepoPaths.UpScript, nobody, ["--no-wait"], environment);
        Assert.True(up.ExitCode == 0, up.Stderr);
        Assert.False(File.Exists(sentinel));
    }

    [Fact]
    public async Task PidFileVariable_IsThePidFileRestartReads()
    {
        var pidFile = Dir.File("no-such.pid");

        var restart = await Scripts.RunAsync(RestartScript, adminUrl: "", [], new Dictionary<string, string> { ["MAINTPROXY_PID_FILE"] = pidFile });

        Assert.Equal(1, restart.ExitCode);
        Assert.Contains($"no PID file at {pidFile}:", restart.Stderr, StringComparison.Ordinal);
    }
}
