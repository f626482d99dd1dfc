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
}
