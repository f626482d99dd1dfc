using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Hosting;

/// <summary>
/// A key MaintProxy does not know in one of its sections (a misspelt setting) stops the start naming
/// it, instead of being ignored while the default it meant to change stays in force.
/// </summary>
public sealed class UnknownSettingsEndToEndTests : EndToEndTest
{
    [Theory]
    [InlineData("Maintenance:SentinalPath", "maint/elsewhere", "Maintenance takes SentinelPath, PagePath,")]
    [InlineData("Lifetime:DrainTimout", "00:00:01", "Lifetime takes DrainTimeout, KeepAliveDrainGrace,")]
    [InlineData("FastCgi:ConnectTimout", "00:00:01", "FastCgi takes BufferRequestBodies,")]
    [InlineData("Transport:EventLoops", "1", "Transport takes EventLoopThreads, InlineScheduling.")]
    [InlineData("Admin:Uri", "http://127.0.0.1:1", "Admin takes Url.")]
    [InlineData("DemoBackend:Enable", "true", "DemoBackend takes Enabled, Url.")]
    [InlineData("Kestrel:Limits:MaxRequestBodySiz", "1000", "Kestrel:Limits takes ")]
    [InlineData("Kestrel:Limits:Http2:MaxStreams", "10", "Kestrel:Limits:Http2 takes MaxStreamsPerConnection,")]
    [InlineData("HttpBackends:ConnectTimout", "00:00:01", "HttpBackends takes ConnectTimeout.")]
    [InlineData("Kestrel:Limits:MinRequestBodyDataRate:Bytes", "500", "Kestrel:Limits:MinRequestBodyDataRate takes BytesPerSecond, GracePeriod.")]
    [InlineData("Kestrel:Limits:MinResponseDataRate:Grace", "00:00:05", "Kestrel:Limits:MinResponseDataRate takes BytesPerSecond, GracePeriod.")]
    public async Task MisspeltKey_RefusesToStartNamingItAndWhatItsSectionTakes(string key, string value, string sectionTakes)
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { [key] = value });

        Assert.Contains($"MaintProxy cannot start: {key} is not a setting MaintProxy knows, and would be ignored; {sectionTakes}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("BinderOptions", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralMisspeltKeys_AreEachNamed()
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["Lifetime:DrainTimout"] = "00:00:01",
            ["Lifetime:PidFil"] = "maint/x.pid",
        });

        Assert.Contains("are not settings MaintProxy knows, and would be ignored; Lifetime takes DrainTimeout,", output, StringComparison.Ordinal);
        Assert.Contains("Lifetime:DrainTimout", output, StringComparison.Ordinal);
        Assert.Contains("Lifetime:PidFil", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Maintenance:AllowedPathPrefixes", "/health")]
    [InlineData("Maintenance:TrustedProxies", "10.0.0.1")]
    public async Task ListSetToOneValue_RefusesToStartNamingIt(string key, string value)
    {
        // As Maintenance__AllowedPathPrefixes=/health in the environment would: a list needs key:0.
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { [key] = value });

        Assert.Contains($"MaintProxy cannot start: Failed to convert configuration value '{value}' at '{key}' to type 'System.String[]'", output, StringComparison.Ordinal);
    }
}
