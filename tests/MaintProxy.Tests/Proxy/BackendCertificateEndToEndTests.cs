using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// An HTTPS backend whose certificate .NET refuses (self-signed, for another name, expired) gets 502,
/// never a forwarded request, and one warning line saying in words why the certificate was refused.
/// </summary>
public sealed class BackendCertificateEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("127.0.0.1", false, "it is self-signed, or its root CA is not trusted here")]
    [InlineData("localhost", false, "it is not for the name 'localhost' (it names '127.0.0.1'")]
    [InlineData("127.0.0.1", true, "it expired on ")]
    public async Task RefusedBackendCertificate_Gets502AndALineSayingWhy(string host, bool expired, string reason)
    {
        using var certificate = expired
            ? TestCertificate.Create(_dir, DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1))
            : TestCertificate.Create(_dir);
        await using var backend = await TestBackend.StartHttpsAsync(certificate);
        var address = new UriBuilder(backend.Url) { Host = host }.Uri.ToString();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, address);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var response = await client.GetAsync(proxy.PublicUrl + "/orders");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Maintenance-Mode"));
        Assert.Empty(backend.Requests);
        Assert.True(await proxy.WaitForOutputAsync($"Backend certificate refused for cluster app, host {host}: {reason}", TimeSpan.FromSeconds(5)), proxy.Output);
        Assert.True(await proxy.WaitForOutputAsync("GET /orders → 502 proxy-error", TimeSpan.FromSeconds(5)), proxy.Output);
    }

    [Fact]
    public async Task DangerousAcceptAnyServerCertificate_StillForwardsToASelfSignedBackend()
    {
        using var certificate = TestCertificate.Create(_dir);
        await using var backend = await TestBackend.StartHttpsAsync(certificate);
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:HttpClient:DangerousAcceptAnyServerCertificate"] = "true",
        });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var response = await client.GetAsync(proxy.PublicUrl + "/orders");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backend ok /orders", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain("Backend certificate refused", proxy.Output, StringComparison.Ordinal);
    }
}
