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

    [Fact]
    public async Task EditThatIsNotJson_WhileRunning_IsLoggedAndTheRoutesInUseStay()
    {
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settings = ProxyBuildCopy.SettingsOf(proxyDll);
        var valid = await File.ReadAllTextAsync(settings);
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url, proxyDll: proxyDll);
        using var client = new HttpClient();

        await File.WriteAllTextAsync(settings, valid.Replace("\"Routes\":", "\"Routes\"", StringComparison.Ordinal));

        Assert.True(await proxy.WaitForOutputAsync("The edit is not applied: the configuration in use stays", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Contains($"ERR] Failed to load configuration from file '{settings}'.", proxy.Output, StringComparison.Ordinal);
        Assert.Equal("backend ok /", await client.GetStringAsync(proxy.PublicUrl + "/"));

        // Fixed, the file is applied again: here a route that no longer matches /.
        await File.WriteAllTextAsync(settings, valid.Replace("\"{**catch-all}\"", "\"/only/{**catch-all}\"", StringComparison.Ordinal));
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var response = await client.GetAsync(proxy.PublicUrl + "/");
            return response.StatusCode == System.Net.HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(10)), proxy.Output);
    }
}
