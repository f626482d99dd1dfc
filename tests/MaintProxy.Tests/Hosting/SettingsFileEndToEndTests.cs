using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Hosting;

/// <summary>The appsettings.json beside the binary, broken or edited: a clear line, and nothing served from a half-read file.</summary>
public sealed class SettingsFileEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task SettingsFileThatIsNotJson_RefusesToStartNamingTheFileAndThePlace()
    {
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settings = ProxyBuildCopy.SettingsOf(proxyDll);
        await File.WriteAllTextAsync(settings, (await File.ReadAllTextAsync(settings)).Replace("\"Routes\":", "\"Routes\"", StringComparison.Ordinal));

        var output = await ProxyProcess.StartRefusedAsync(Dir.File("work"), Backend.Url, new Dictionary<string, string>(), proxyDll);

        Assert.Contains($"MaintProxy cannot start: Failed to load configuration from file '{settings}'.", output, StringComparison.Ordinal);
        Assert.Contains("Expected a ':'. LineNumber:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
