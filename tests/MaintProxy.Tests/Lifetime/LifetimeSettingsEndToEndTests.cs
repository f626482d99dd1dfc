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
}
