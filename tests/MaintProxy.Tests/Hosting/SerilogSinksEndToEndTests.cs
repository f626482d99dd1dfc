using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Hosting;

/// <summary>
/// The Serilog sinks MaintProxy ships are found from configuration alone (they are looked up in the
/// shipped sink assemblies, not by scanning): a file sink added in settings gets the request lines, and
/// one that cannot be found or opened stops the start instead of losing every line.
/// </summary>
public sealed class SerilogSinksEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task FileSinkFromSettings_GetsTheRequestLines()
    {
        var logFile = Dir.File("logs/access.log");
        await using var proxy = await StartProxyAsync(new()
        {
            ["Serilog:WriteTo:1:Name"] = "File",
            ["Serilog:WriteTo:1:Args:path"] = logFile,
            ["Serilog:WriteTo:1:Args:outputTemplate"] = "{Timestamp:o} {Level:u3} {Message:lj}{NewLine}",
        });
        using var client = new HttpClient();

        await client.GetStringAsync(proxy.PublicUrl + "/to-the-file");

        Assert.True(await Eventually.TrueAsync(() => File.Exists(logFile) && ReadShared(logFile).Contains("GET /to-the-file → 200 forwarded", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5)), proxy.Output);
        Assert.True(await proxy.WaitForOutputAsync("GET /to-the-file → 200 forwarded", TimeSpan.FromSeconds(5)), "the console sink is kept beside it");
    }

    [Fact]
    public async Task FileSinkOnAFullDisk_ServesAndReportsTheFailuresInOneLine()
    {
        await using var proxy = await StartProxyAsync(new()
        {
            ["Serilog:WriteTo:1:Name"] = "File",
            ["Serilog:WriteTo:1:Args:path"] = "/dev/full", // every write fails with ENOSPC, as on a full disk
        });
        using var client = new HttpClient();

        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync(proxy.PublicUrl + "/while-the-disk-is-full");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(await proxy.WaitForOutputAsync("A log sink failed: ", TimeSpan.FromSeconds(5)), proxy.Output);
        Assert.True(await proxy.WaitForOutputAsync("GET /while-the-disk-is-full → 200 forwarded", TimeSpan.FromSeconds(5)), proxy.Output);
        var reports = proxy.Output.Split('\n').Where(line => line.Contains("A log sink failed: ", StringComparison.Ordinal)).ToList();
        var report = Assert.Single(reports);
        Assert.Contains("No space left on device", report, StringComparison.Ordinal);
        Assert.DoesNotContain("at Serilog.", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SinkNameNotKnown_StopsTheStartNamingIt()
    {
        var exit = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["Serilog:WriteTo:1:Name"] = "Fiel" });

        Assert.Contains("MaintProxy cannot start: the Serilog section cannot be applied: Unable to find a method called Fiel", exit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileSinkThatCannotBeOpened_StopsTheStartNamingThePath()
    {
        var notADirectory = Dir.File("not-a-directory");
        await File.WriteAllTextAsync(notADirectory, "");

        var exit = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["Serilog:WriteTo:1:Name"] = "File",
            ["Serilog:WriteTo:1:Args:path"] = Path.Combine(notADirectory, "access.log"),
        });

        Assert.Contains("MaintProxy cannot start: the Serilog section cannot be applied: Unable to open file sink for " + notADirectory, exit, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Serilog:MinimumLevel:Override:Yarp", "Trace")]
    [InlineData("Serilog:MinimumLevel:Default", "Critical")]
    public async Task LevelSerilogDoesNotKnow_StopsTheStartNamingTheKeyAndTheLevels(string key, string level)
    {
        var exit = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { [key] = level });

        Assert.Contains($"MaintProxy cannot start: {key} is \"{level}\": Serilog's levels are Verbose, Debug,", exit, StringComparison.Ordinal);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
