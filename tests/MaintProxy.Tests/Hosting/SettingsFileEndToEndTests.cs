using System.Text;
using System.Text.Json.Nodes;
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
        await SaveOnlyRouteAndWaitForItAsync(settings, valid, client, proxy);
    }

    [Fact]
    public async Task SavedInPlace_EmptyForAMoment_LogsNoErrorAndABrokenSaveLogsOne()
    {
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settings = ProxyBuildCopy.SettingsOf(proxyDll);
        var valid = await File.ReadAllTextAsync(settings);
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url, proxyDll: proxyDll);
        using var client = new HttpClient();

        // As `slow-tool > appsettings.json` saves: the file emptied, and written a moment later, after
        // the reload that its emptying started has read it.
        await File.WriteAllTextAsync(settings, string.Empty);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await SaveOnlyRouteAndWaitForItAsync(settings, valid, client, proxy);

        // A save that stays broken is reported, once; reports come in order, so the emptied file's would be out by then.
        await File.WriteAllTextAsync(settings, valid.Replace("\"Routes\":", "\"Routes\"", StringComparison.Ordinal));
        Assert.True(await proxy.WaitForOutputAsync("The edit is not applied: the configuration in use stays", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Equal(1, CountLines(proxy.Output, "Failed to load configuration"));
        Assert.Contains("Expected a ':'", proxy.Output, StringComparison.Ordinal);
        using var response = await client.GetAsync(proxy.PublicUrl + "/");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task SettingsFileRemoved_WhileRunning_IsLoggedAndTheRoutesInUseStay()
    {
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settings = ProxyBuildCopy.SettingsOf(proxyDll);
        var valid = await File.ReadAllTextAsync(settings);
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url, proxyDll: proxyDll);
        using var client = new HttpClient();

        // Renamed away, as a deployment that keeps the old copy does before it puts the new one in place.
        File.Move(settings, settings + ".old");
        Assert.True(await proxy.WaitForOutputAsync(
            "ERR] The settings file appsettings.json was removed or renamed. The edit is not applied: the configuration in use stays", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Equal("backend ok /", await client.GetStringAsync(proxy.PublicUrl + "/"));
        Assert.DoesNotContain("changed in the settings file", proxy.Output, StringComparison.Ordinal);

        // Back, and edited: applied again, here a route that no longer matches /.
        await SaveOnlyRouteAndWaitForItAsync(settings, valid, client, proxy);
    }

    [Fact]
    public async Task SettingsFileLinkedIntoAFolderSwappedByRename_WhileRunning_IsApplied()
    {
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settings = ProxyBuildCopy.SettingsOf(proxyDll);
        var folder = Path.GetDirectoryName(settings)!;
        var valid = await File.ReadAllTextAsync(settings);
        // As a Kubernetes ConfigMap is mounted: appsettings.json -> ..data/appsettings.json, ..data -> a version's folder.
        foreach (var (version, text) in new[] { ("v1", valid), ("v2", valid.Replace("\"{**catch-all}\"", "\"/only/{**catch-all}\"", StringComparison.Ordinal)) })
        {
            Directory.CreateDirectory(Path.Combine(folder, version));
            await File.WriteAllTextAsync(Path.Combine(folder, version, "appsettings.json"), text);
        }

        File.CreateSymbolicLink(Path.Combine(folder, "..data"), "v1");
        File.Delete(settings);
        File.CreateSymbolicLink(settings, "..data/appsettings.json");
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url, proxyDll: proxyDll);
        using var client = new HttpClient();
        Assert.Equal("backend ok /", await client.GetStringAsync(proxy.PublicUrl + "/"));

        File.CreateSymbolicLink(Path.Combine(folder, "..data_tmp"), "v2");
        // rename(2) of the link itself, as kubelet does (File.Move follows a link to a folder).
        using (var rename = System.Diagnostics.Process.Start("mv", ["-T", Path.Combine(folder, "..data_tmp"), Path.Combine(folder, "..data")]))
        {
            await rename.WaitForExitAsync();
            Assert.Equal(0, rename.ExitCode);
        }

        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var response = await client.GetAsync(proxy.PublicUrl + "/");
            return response.StatusCode == System.Net.HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Equal("backend ok /only/x", await client.GetStringAsync(proxy.PublicUrl + "/only/x"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are Unix ones
    public async Task SettingsFileSavedUnreadable_WhileRunning_IsLoggedAndTheRoutesInUseStay()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return; // the proxy runs as nobody, so that a file mode keeps it out
        }

        var proxyDll = CopyOpenToNobody();
        var settings = ProxyBuildCopy.SettingsOf(proxyDll);
        var valid = await File.ReadAllTextAsync(settings);
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url, proxyDll: proxyDll, asNobody: true);
        using var client = new HttpClient();

        // Saved by root with umask 077, as `sudo cp` leaves it.
        await SaveUnreadableAsync(settings + ".new", valid.Replace("\"{**catch-all}\"", "\"/only/{**catch-all}\"", StringComparison.Ordinal));
        File.Move(settings + ".new", settings, overwrite: true);

        Assert.True(await proxy.WaitForOutputAsync(
            "ERR] The settings file appsettings.json cannot be read: Access to the path", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Equal("backend ok /", await client.GetStringAsync(proxy.PublicUrl + "/"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are Unix ones
    public async Task SettingsFileLinkedToAnUnreadableFile_WhileRunning_IsLoggedAndTheProxyServesOn()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return;
        }

        var proxyDll = CopyOpenToNobody();
        var settings = ProxyBuildCopy.SettingsOf(proxyDll);
        var folder = Path.GetDirectoryName(settings)!;
        var valid = await File.ReadAllTextAsync(settings);
        Directory.CreateDirectory(Path.Combine(folder, "v1"));
        await File.WriteAllTextAsync(Path.Combine(folder, "v1", "appsettings.json"), valid);
        File.CreateSymbolicLink(Path.Combine(folder, "..data"), "v1");
        File.Delete(settings);
        File.CreateSymbolicLink(settings, "..data/appsettings.json");
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url, proxyDll: proxyDll, asNobody: true);
        using var client = new HttpClient();

        // The link's poll, not the folder's watcher, sees this one.
        Directory.CreateDirectory(Path.Combine(folder, "v2"));
        await SaveUnreadableAsync(Path.Combine(folder, "v2", "appsettings.json"), valid);
        File.Delete(Path.Combine(folder, "..data"));
        File.CreateSymbolicLink(Path.Combine(folder, "..data"), "v2");

        Assert.True(await proxy.WaitForOutputAsync(
            "ERR] The settings file appsettings.json cannot be read: Access to the path", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.False(proxy.HasExited, proxy.Output);
        Assert.Equal("backend ok /", await client.GetStringAsync(proxy.PublicUrl + "/"));
    }

    [Fact]
    public async Task EditThatIsNotJson_ThenTheEnvironmentFileSaved_KeepsTheRoutesInUse()
    {
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settings = ProxyBuildCopy.SettingsOf(proxyDll);
        var environmentSettings = Path.Combine(Path.GetDirectoryName(settings)!, "appsettings.Staging.json");
        var valid = await File.ReadAllTextAsync(settings);
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url,
            environment: new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Staging" }, proxyDll: proxyDll);
        using var client = new HttpClient();

        await File.WriteAllTextAsync(settings + ".new", valid.Replace("\"Routes\":", "\"Routes\"", StringComparison.Ordinal));
        File.Move(settings + ".new", settings, overwrite: true);
        Assert.True(await proxy.WaitForOutputAsync("The edit is not applied: the configuration in use stays", TimeSpan.FromSeconds(10)), proxy.Output);

        // The environment's file, saved while appsettings.json is still broken, reloads the settings: its
        // route (its header marks it) applies once YARP has read them, and appsettings.json's catch-all route stays.
        await File.WriteAllTextAsync(environmentSettings + ".new", """
            { "ReverseProxy": { "Routes": { "staged": { "ClusterId": "app", "Match": { "Path": "/staged/{**rest}" },
              "Transforms": [ { "ResponseHeader": "X-Staged", "Append": "yes" } ] } } } }
            """);
        File.Move(environmentSettings + ".new", environmentSettings);
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var response = await client.GetAsync(proxy.PublicUrl + "/staged/probe");
            return response.Headers.Contains("X-Staged");
        }, TimeSpan.FromSeconds(10)), proxy.Output);

        Assert.Equal("backend ok /kept", await client.GetStringAsync(proxy.PublicUrl + "/kept"));
    }

    [Fact]
    public async Task RequestLineTurnedOff_InTheShippedSettingsFile_WhileRunning_IsNoLongerWritten()
    {
        const string BackendError = "An error was encountered before receiving a response";
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settings = ProxyBuildCopy.SettingsOf(proxyDll);
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url, proxyDll: proxyDll);
        using var client = new HttpClient();
        Assert.Equal("backend ok /before", await client.GetStringAsync(proxy.PublicUrl + "/before"));
        Assert.True(await proxy.WaitForOutputAsync("GET /before → 200 forwarded", TimeSpan.FromSeconds(10)), proxy.Output);

        // README's way to turn the request line off, saved in the running file, with a route to a
        // port where nothing listens: its 502 is logged by YARP as a warning, which marks the edit applied.
        var edited = JsonNode.Parse(await File.ReadAllTextAsync(settings))!;
        edited["Serilog"]!["MinimumLevel"]!["Override"]!["MaintProxy.RequestLogging"] = "Warning";
        edited["ReverseProxy"]!["Routes"]!["refused"] = new JsonObject
        {
            ["ClusterId"] = "refused",
            ["Match"] = new JsonObject { ["Path"] = "/refused/{**rest}" },
        };
        edited["ReverseProxy"]!["Clusters"]!["refused"] = new JsonObject
        {
            ["Destinations"] = new JsonObject { ["d"] = new JsonObject { ["Address"] = $"http://127.0.0.1:{FreePort.Next()}/" } },
        };
        await File.WriteAllTextAsync(settings + ".new", edited.ToJsonString());
        File.Move(settings + ".new", settings, overwrite: true);
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var response = await client.GetAsync(proxy.PublicUrl + "/refused/probe");
            return response.StatusCode == System.Net.HttpStatusCode.BadGateway;
        }, TimeSpan.FromSeconds(10)), proxy.Output);

        // On one connection, Kestrel runs the second request once the first is done, logging
        // included, and the console keeps their order: once the second one's warning is out, the
        // first one's request line would be out too.
        var warningsBefore = CountLines(proxy.Output, BackendError);
        var answer = await RawHttp.ExchangeAsync(proxy.PublicPort, Encoding.ASCII.GetBytes(
            "GET /after HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /refused/marker HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        Assert.Contains("backend ok /after", Encoding.ASCII.GetString(answer), StringComparison.Ordinal);
        Assert.True(await Eventually.TrueAsync(() => CountLines(proxy.Output, BackendError) > warningsBefore, TimeSpan.FromSeconds(10)), proxy.Output);

        Assert.DoesNotContain("GET /after →", proxy.Output, StringComparison.Ordinal);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are Unix ones
    private static async Task SaveUnreadableAsync(string path, string text)
    {
        await File.WriteAllTextAsync(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>A copy of the build that user nobody can read, in the test's folder opened to it.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are Unix ones
    private string CopyOpenToNobody()
    {
        File.SetUnixFileMode(Dir.Path, (UnixFileMode)0b111_101_101);
        return ProxyBuildCopy.CopyTo(Dir.File("app"));
    }

    /// <summary>Saves the settings with the catch-all route moved under <c>/only/</c>, and waits until <c>/</c> gets 404: the edit is applied.</summary>
    private static async Task SaveOnlyRouteAndWaitForItAsync(string settings, string valid, HttpClient client, ProxyProcess proxy)
    {
        await File.WriteAllTextAsync(settings, valid.Replace("\"{**catch-all}\"", "\"/only/{**catch-all}\"", StringComparison.Ordinal));
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var response = await client.GetAsync(proxy.PublicUrl + "/");
            return response.StatusCode == System.Net.HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(10)), proxy.Output);
    }

    private static int CountLines(string output, string text) =>
        output.Split('\n').Count(line => line.Contains(text, StringComparison.Ordinal));
}
