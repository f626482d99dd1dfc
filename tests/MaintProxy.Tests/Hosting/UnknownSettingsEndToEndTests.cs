using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Hosting;

/// <summary>
/// A key MaintProxy does not know in one of its sections (a misspelt setting) stops the start naming
/// it, instead of being ignored while the default it meant to change stays in force.
/// </summary>
public sealed class UnknownSettingsEndToEndTests : EndToEndTest
{
    [Theory]
    [InlineData("Maintenance:SentinalPath", "maint/elsewhere", "MaintenanceOptions: 'SentinalPath'")]
    [InlineData("Lifetime:DrainTimout", "00:00:01", "LifetimeOptions: 'DrainTimout'")]
    [InlineData("FastCgi:ConnectTimout", "00:00:01", "FastCgiOptions: 'ConnectTimout'")]
    [InlineData("Transport:EventLoops", "1", "TransportOptions: 'EventLoops'")]
    [InlineData("Admin:Uri", "http://127.0.0.1:1", "AdminOptions: 'Uri'")]
    [InlineData("DemoBackend:Enable", "true", "DemoBackendOptions: 'Enable'")]
    [InlineData("Kestrel:Limits:MaxRequestBodySiz", "1000", "KestrelServerLimits: 'MaxRequestBodySiz'")]
    [InlineData("HttpBackends:ConnectTimout", "00:00:01", "HttpBackendsOptions: 'ConnectTimout'")]
    public async Task MisspeltKey_RefusesToStartNamingIt(string key, string value, string named)
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { [key] = value });

        Assert.Contains("MaintProxy cannot start:", output, StringComparison.Ordinal);
        Assert.Contains("properties were not found on the instance of", output, StringComparison.Ordinal);
        Assert.Contains(named, output, StringComparison.Ordinal);
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
