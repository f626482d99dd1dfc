using System.Net;
using MaintProxy.Maintenance;
using MaintProxy.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace MaintProxy.Tests.Maintenance;

public sealed class MaintenanceOptionsTests : IAsyncLifetime
{
    private TestBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await TestBackend.StartAsync();

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task StatusCode_Configured_IsTheMaintenanceStatus()
    {
        await using var proxy = new InProcessProxy(_backend.Url, new Dictionary<string, string> { ["Maintenance:StatusCode"] = "500" });
        await File.WriteAllTextAsync(proxy.SentinelPath, "");

        using var response = await proxy.CreateClient().GetAsync("/");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.True(response.Headers.Contains("X-Maintenance-Mode"));
    }

    [Theory]
    [InlineData("/up", "/up", HttpStatusCode.OK)]
    [InlineData("/up", "/UP", HttpStatusCode.OK)]
    [InlineData("/up", "/healthz", HttpStatusCode.ServiceUnavailable)]
    [InlineData("", "/healthz", HttpStatusCode.ServiceUnavailable)]
    public async Task HealthPath_AnsweredByTheProxyOnlyWhereConfigured(string healthPath, string path, HttpStatusCode expected)
    {
        await using var proxy = new InProcessProxy(_backend.Url, new Dictionary<string, string> { ["Maintenance:HealthPath"] = healthPath });
        await File.WriteAllTextAsync(proxy.SentinelPath, "");

        using var response = await proxy.CreateClient().GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("Maintenance:AllowedPathPatterns:0", "([unclosed", "not a valid regular expression")]
    [InlineData("Maintenance:AllowedPathPrefixes:0", "no-slash", "must start with '/'")]
    [InlineData("Maintenance:TrustedProxies:0", "10.0.0.0/99", "not an address or CIDR")]
    [InlineData("Maintenance:TrustedProxies:0", "127.000.000.001", "without leading zeros")]
    [InlineData("Maintenance:HealthPath", "healthz", "must start with '/'")]
    [InlineData("Maintenance:CorsAllowedOrigins:0", "app.example", "CorsAllowedOrigins 'app.example' is not an origin")]
    [InlineData("Maintenance:CorsAllowedOrigins:0", "https://app.example/path", "is not an origin")]
    [InlineData("Maintenance:CorsAllowedOrigins:0", "ftp://app.example", "is not an origin")]
    [InlineData("Maintenance:CorsAllowedOrigins:0", "null", "is not an origin")]
    [InlineData("Maintenance:CorsAllowedOrigins:0", "https://user@app.example", "is not an origin")]
    [InlineData("Maintenance:StatusCode", "200", "StatusCode")]
    [InlineData("Maintenance:RetryAfterSeconds", "-1", "RetryAfterSeconds")]
    [InlineData("Maintenance:FilePollInterval", "00:00:00", "FilePollInterval")]
    [InlineData("Maintenance:BypassCookieLifetime", "00:00:01", "BypassCookieLifetime")]
    [InlineData("Maintenance:SentinelPath", "", "SentinelPath")]
    public void InvalidSetting_IsRefusedWithAMessageNamingIt(string key, string value, string message)
    {
        var error = Assert.ThrowsAny<OptionsValidationException>(() => ValidatedOptions.Of<MaintenanceOptions>(new Dictionary<string, string> { [key] = value }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
