using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Lifetime;

/// <summary>
/// <c>maint/restart.sh</c> refusing what it cannot act on, before it looks for a proxy: exit status 2 for
/// bad usage, 1 for a process that cannot be restarted, each with a line that says why.
/// </summary>
public sealed class RestartScriptUsageTests : IDisposable
{
    private static readonly string RestartScript = Path.Combine(RepoPaths.Root, "maint", "restart.sh");
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("--timeout abc", "restart: --timeout takes whole seconds, not 'abc'")]
    [InlineData("--timeout -1", "restart: --timeout takes whole seconds, not '-1'")]
    [InlineData("--pid 12x", "restart: --pid takes a process id, not '12x'")]
    [InlineData("--pid 1 --pid-file some.pid", "restart: give --pid or --pid-file, not both")]
    [InlineData("--pid", "restart: --pid needs a process id")]
    [InlineData("--frobnicate", "restart: unknown option '--frobnicate' (see --help)")]
    public async Task BadUsage_ExitsWithStatus2AndSaysWhy(string args, string message)
    {
        var result = await Scripts.RunAsync(RestartScript, adminUrl: "", args.Split(' '));

        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.Stderr}{result.Stdout}");
        Assert.Equal(message, result.Stderr.Trim());
    }

    [Fact]
    public async Task PidFileOfAProcessThatIsGone_ExitsWithStatus1SayingToStartNormally()
    {
        var pidFile = _dir.File("maintproxy.pid");
        await File.WriteAllTextAsync(pidFile, "99999999\n"); // above any pid_max: no such process

        var result = await Scripts.RunAsync(RestartScript, adminUrl: "", ["--pid-file", pidFile]);

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Stderr}{result.Stdout}");
        Assert.Equal("restart: process 99999999 is not running (stale PID file?); start MaintProxy normally instead", result.Stderr.Trim());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a pid\n")]
    public async Task PidFileWithoutAProcessId_ExitsWithStatus1NamingTheFile(string content)
    {
        var pidFile = _dir.File("maintproxy.pid");
        await File.WriteAllTextAsync(pidFile, content);

        var result = await Scripts.RunAsync(RestartScript, adminUrl: "", ["--pid-file", pidFile]);

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Stderr}{result.Stdout}");
        Assert.Equal($"restart: {pidFile} holds no process id", result.Stderr.Trim());
    }

    [Fact]
    public async Task NoPidFile_ExitsWithStatus1SayingADrainingProxyRemovesIt()
    {
        var result = await Scripts.RunAsync(RestartScript, adminUrl: "", ["--pid-file", _dir.File("absent.pid")]);

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Stderr}{result.Stdout}");
        Assert.StartsWith($"restart: no PID file at {_dir.File("absent.pid")}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("A proxy that drains removes it", result.Stderr, StringComparison.Ordinal);
    }
}
