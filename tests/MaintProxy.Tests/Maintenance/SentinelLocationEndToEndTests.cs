using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>
/// The proxy says at start which sentinel file it watches and where a relative path starts, and warns
/// when that file's folder does not exist (a proxy started in another working directory).
/// </summary>
public sealed class SentinelLocationEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task Start_LogsTheSentinelItWatchesAndTheWorkingDirectory()
    {
        await using var proxy = await StartProxyAsync();

        Assert.Contains($"Watching sentinel {Path.Combine(Dir.Path, "maint", "down")} (Maintenance:SentinelPath maint/down; relative paths start at the working directory {Dir.Path})",
            proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("does not exist", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SentinelFolderMissing_WarnsNamingTheFileAndTheWorkingDirectory()
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:SentinelPath"] = "elsewhere/down" });

        Assert.Contains($"WRN] The folder of sentinel {Path.Combine(Dir.Path, "elsewhere", "down")} does not exist, so no sentinel written elsewhere puts this proxy in maintenance: " +
            $"Maintenance:SentinelPath elsewhere/down starts at the working directory {Dir.Path}. Start the proxy in the folder that holds maint/",
            proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AbsoluteSentinelFolderMissing_WarnsWithoutBlamingTheWorkingDirectory()
    {
        var sentinel = Path.Combine(Dir.Path, "missing-folder", "down");
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:SentinelPath"] = sentinel });

        Assert.Contains($"WRN] The folder of sentinel {sentinel} does not exist, so no sentinel puts this proxy in maintenance until it does: " +
            "create the folder, or correct Maintenance:SentinelPath", proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("starts at the working directory", proxy.Output, StringComparison.Ordinal);
    }
}
