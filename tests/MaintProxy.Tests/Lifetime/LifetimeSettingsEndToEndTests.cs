using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Lifetime;

/// <summary>Lifetime settings the proxy could not honour stop the start, naming the key.</summary>
public sealed class LifetimeSettingsEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task PidFileThatIsAFolder_RefusesToStartAndLeavesNothingBehind()
    {
        var folder = Dir.File("run");
        Directory.CreateDirectory(folder);

        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["Lifetime:PidFile"] = folder });

        Assert.Contains($"MaintProxy cannot start: Lifetime:PidFile '{folder}' is a folder", output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Dir.Path, "run.*"));
    }

    [Fact]
    public async Task PidFileInAFolderTheProxyUserMayNotWrite_RefusesToStartNamingTheUser()
    {
        // The proxy runs as nobody and the folder is root's: tests running as root only. It used to start,
        // log an error once ready, and leave maint/restart.sh without the file.
        if (!Environment.IsPrivilegedProcess || OperatingSystem.IsWindows())
        {
            return;
        }

        var folder = Directory.CreateDirectory(Dir.File("run")).FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        var pidFile = Path.Combine(folder, "maintproxy.pid");

        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["Lifetime:PidFile"] = pidFile }, asNobody: true);

        Assert.Contains($"MaintProxy cannot start: Lifetime:PidFile '{pidFile}' cannot be written: the proxy runs as user nobody, who may not create files in {folder}.",
            output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Theory]
    [InlineData("00:00:00.050")]
    [InlineData("100.00:00:00")]
    public async Task DrainProgressIntervalOutOfRange_RefusesToStartNamingTheKey(string interval)
    {
        // 100 days used to be taken, and the drain's timer then failed at the first SIGTERM.
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["Lifetime:DrainProgressInterval"] = interval });

        Assert.Contains("MaintProxy cannot start: Lifetime:DrainProgressInterval must be at least 00:00:00.1000000 and at most 1.00:00:00", output, StringComparison.Ordinal);
    }
}
