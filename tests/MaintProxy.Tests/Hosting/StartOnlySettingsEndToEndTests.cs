using System.Text.Json.Nodes;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Hosting;

/// <summary>
/// A saved edit of a setting read at start only: the log names the key once and says a restart applies
/// it, and says when the section as saved would stop the next start.
/// </summary>
public sealed class StartOnlySettingsEndToEndTests : EndToEndTest
{
    private const string RetryAfterNeedsRestart = "Maintenance:RetryAfterSeconds changed in the settings file: it is read at start only";

    [Fact]
    public async Task StartOnlySettingEdited_WhileRunning_IsNamedOnceAsNeedingARestart()
    {
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settings = ProxyBuildCopy.SettingsOf(proxyDll);
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url, proxyDll: proxyDll);

        // Saved with a rename, as editors do.
        await SaveAsync(settings, s => s["Maintenance"]!["RetryAfterSeconds"] = 77, rename: true);
        Assert.True(await proxy.WaitForOutputAsync(RetryAfterNeedsRestart, TimeSpan.FromSeconds(10)), proxy.Output);

        // Written in place: the unchanged 77 is not named again, the value out of range is.
        await SaveAsync(settings, s => s["Maintenance"]!["StatusCode"] = 999, rename: false);
        Assert.True(await proxy.WaitForOutputAsync(
            "Maintenance section as now saved would stop the next start: Maintenance:StatusCode must be from 400 to 599; it is 999.", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Equal(1, proxy.Output.Split('\n').Count(line => line.Contains(RetryAfterNeedsRestart, StringComparison.Ordinal)));

        await SaveAsync(settings, s => s["Serilog"]!["MinimumLevel"]!["Default"] = "Loud", rename: true);
        Assert.True(await proxy.WaitForOutputAsync(
            "Serilog:MinimumLevel:Default must be Verbose, Debug, Information, Warning, Error or Fatal; it is 'Loud'.", TimeSpan.FromSeconds(10)), proxy.Output);

        using var client = new HttpClient();
        Assert.Equal("backend ok /", await client.GetStringAsync(proxy.PublicUrl + "/"));
    }

    [Fact]
    public async Task PathWithANulSaved_BehindALink_IsNamedAndTheProxyServesOn()
    {
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settings = ProxyBuildCopy.SettingsOf(proxyDll);
        var folder = Path.GetDirectoryName(settings)!;
        Directory.CreateDirectory(Path.Combine(folder, "v1"));
        File.Move(settings, Path.Combine(folder, "v1", "appsettings.json"));
        File.CreateSymbolicLink(Path.Combine(folder, "..data"), "v1");
        File.CreateSymbolicLink(settings, "..data/appsettings.json");
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url, proxyDll: proxyDll);

        // A new version behind the link, seen by its poll: the PID file's path check throws on the NUL.
        Directory.CreateDirectory(Path.Combine(folder, "v2"));
        File.Copy(Path.Combine(folder, "v1", "appsettings.json"), Path.Combine(folder, "v2", "appsettings.json"));
        await SaveAsync(Path.Combine(folder, "v2", "appsettings.json"), s => s["Lifetime"]!["PidFile"] = "run/x\u0000.pid", rename: false);
        File.Delete(Path.Combine(folder, "..data"));
        File.CreateSymbolicLink(Path.Combine(folder, "..data"), "v2");

        Assert.True(await proxy.WaitForOutputAsync(
            "Lifetime section as now saved would stop the next start: Lifetime:PidFile contains a NUL character", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.False(proxy.HasExited, proxy.Output);
        using var client = new HttpClient();
        Assert.Equal("backend ok /", await client.GetStringAsync(proxy.PublicUrl + "/"));
    }

    private static async Task SaveAsync(string settings, Action<JsonNode> edit, bool rename)
    {
        var json = JsonNode.Parse(await File.ReadAllTextAsync(settings))!;
        edit(json);
        if (rename)
        {
            await File.WriteAllTextAsync(settings + ".new", json.ToJsonString());
            File.Move(settings + ".new", settings, overwrite: true);
        }
        else
        {
            await File.WriteAllTextAsync(settings, json.ToJsonString());
        }
    }
}
