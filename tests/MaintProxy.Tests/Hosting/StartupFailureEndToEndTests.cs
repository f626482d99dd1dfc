using System.Text.Json.Nodes;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Hosting;

/// <summary>
/// A start that fails for a reason the operator can fix ends with one line saying what to fix, exit 1,
/// and no stack trace before it, wherever in the start the failure happens.
/// </summary>
public sealed class StartupFailureEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task SecondProxyOnTheSamePorts_ExitsWithOneLineSayingWhatToDo()
    {
        await using var first = await StartProxyAsync();

        var output = await ProxyProcess.StartRefusedAsync(Path.Combine(Dir.Path, "second"), Backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Public:Url"] = first.PublicUrl,
            ["Admin:Url"] = first.AdminUrl,
        });

        Assert.Contains("MaintProxy cannot start: Failed to bind to address", output, StringComparison.Ordinal);
        Assert.Contains("is MaintProxy already running?", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
        Assert.Equal("up", (await first.StatusAsync()).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("FastCgi:ConnectTimeout", "00:00:00", "FastCgi:ConnectTimeout must be from 00:00:00.0010000 to 00:05:00; it is 00:00:00.")]
    [InlineData("FastCgi:PooledConnectionIdleTimeout", "02:00:00", "FastCgi:PooledConnectionIdleTimeout must be from 00:00:01 to 01:00:00; it is 02:00:00.")]
    [InlineData("FastCgi:MaxBufferedRequestBodyBytes", "-1", "FastCgi:MaxBufferedRequestBodyBytes must be 0 or more; it is -1.")]
    [InlineData("FastCgi:MaxBufferedResponseBodyBytes", "-1", "FastCgi:MaxBufferedResponseBodyBytes must be 0 or more; it is -1.")]
    [InlineData("HttpBackends:ConnectTimeout", "00:10:00", "HttpBackends:ConnectTimeout must be from 00:00:00.0010000 to 00:05:00; it is 00:10:00.")]
    [InlineData("Maintenance:SentinelPath", "", "Maintenance:SentinelPath must be set; it is empty.")]
    [InlineData("Maintenance:PagePath", "", "Maintenance:PagePath must be set; it is empty.")]
    [InlineData("Maintenance:StatusCode", "200", "Maintenance:StatusCode must be from 400 to 599; it is 200.")]
    [InlineData("Maintenance:RetryAfterSeconds", "-1", "Maintenance:RetryAfterSeconds must be from 0 to 604800; it is -1.")]
    [InlineData("Maintenance:FilePollInterval", "00:00:00", "Maintenance:FilePollInterval must be from 00:00:00.0100000 to 00:01:00; it is 00:00:00.")]
    [InlineData("Maintenance:BypassCookieLifetime", "365.00:00:00", "Maintenance:BypassCookieLifetime must be from 00:01:00 to 30.00:00:00; it is 365.00:00:00.")]
    [InlineData("Maintenance:HealthPath", "healthz", "Maintenance:HealthPath 'healthz' must start with '/'")]
    [InlineData("Lifetime:DrainTimeout", "00:00:00", "Lifetime:DrainTimeout must be above zero")]
    [InlineData("Lifetime:DrainTimeout", "1.00:00:01", "Lifetime:DrainTimeout must be above zero and at most 1.00:00:00; it is 1.00:00:01.")]
    [InlineData("Lifetime:Predecessors", "4242", "Lifetime:Predecessors must be PID:STARTTIME entries separated by commas (maint/restart.sh sets it); it is '4242'.")]
    [InlineData("Transport:EventLoopThreads", "999", "Transport:EventLoopThreads must be 0 (one per core) or 1 to 256; it is 999.")]
    public async Task SettingValidatedAsTheHostStarts_IsOneLineNamingTheKeyAndWhatIsAllowed(string key, string value, string expected)
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { [key] = value });

        Assert.Contains("MaintProxy cannot start: " + expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Options", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    // Only a settings file can hold a NUL: neither the command line nor the environment can. (The tests'
    // command line sets Maintenance:PagePath, which the same check covers.)
    [Theory]
    [InlineData("Lifetime", "PidFile")]
    [InlineData("Maintenance", "SentinelPath")]
    public async Task PathWithANulInTheSettingsFile_IsOneLineNamingTheKey(string section, string key)
    {
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settingsFile = ProxyBuildCopy.SettingsOf(proxyDll);
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(settingsFile))!;
        settings[section]![key] = "maint/x\u0000.y";
        await File.WriteAllTextAsync(settingsFile, settings.ToJsonString());

        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>(), proxyDll);

        Assert.Contains($"MaintProxy cannot start: {section}:{key} contains a NUL character (\\u0000), which no file name can hold.", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Theory]
    [InlineData("SentinelPath")]
    [InlineData("HealthPath")]
    public async Task PathSettingNullInTheSettingsFile_IsOneLineNamingTheKey(string key)
    {
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settingsFile = ProxyBuildCopy.SettingsOf(proxyDll);
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(settingsFile))!;
        settings["Maintenance"]![key] = null;
        await File.WriteAllTextAsync(settingsFile, settings.ToJsonString());

        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>(), proxyDll);

        Assert.Contains($"MaintProxy cannot start: Maintenance:{key} must be set; it is not set.", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    private static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("Hosting failed to start", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
