using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Hosting;

/// <summary>
/// The host's own request filters against the real proxy: <c>AllowedHosts</c> filters public requests
/// only, and ASP.NET Core's forwarded-headers switch cannot make a client's X-Forwarded-For believed.
/// </summary>
public sealed class HostWideFiltersEndToEndTests : EndToEndTest, IDisposable
{
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task AllowedHosts_Listed_RefusesOtherHostsAndTheScriptsStillSwitch()
    {
        await using var proxy = await StartProxyAsync(new() { ["AllowedHosts"] = "shop.example;*.shop.example" });

        using var listed = await GetAsync(proxy, "shop.example");
        using var wildcard = await GetAsync(proxy, "www.shop.example");
        using var other = await GetAsync(proxy, "other.example");
        var down = await Scripts.DownAsync(proxy);
        using var listedDown = await GetAsync(proxy, "shop.example");
        var up = await Scripts.UpAsync(proxy);

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, wildcard.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Equal(0, down.ExitCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, listedDown.StatusCode);
        Assert.Equal("1", listedDown.Headers.GetValues("X-Maintenance-Mode").Single());
        Assert.Equal(0, up.ExitCode);
        Assert.Equal(["shop.example", "www.shop.example"], Backend.Requests.Select(r => r.Header("X-Forwarded-Host")).Order());
    }

    [Fact]
    public async Task AllowedHosts_Default_ForwardsAnyHost()
    {
        await using var proxy = await StartProxyAsync();

        using var response = await GetAsync(proxy, "anything.example");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Backend.Requests);
    }

    [Fact]
    public async Task ForwardedHeadersEnabled_ClientForwardedForStillCannotPoseAsAnAllowedAddress()
    {
        // The configuration key behind ASPNETCORE_FORWARDEDHEADERS_ENABLED=true.
        await using var proxy = await StartProxyAsync(new() { ["FORWARDEDHEADERS_ENABLED"] = "true" });
        var down = await Scripts.DownAsync(proxy, "--allow", "203.0.113.7");

        using var request = new HttpRequestMessage(HttpMethod.Get, proxy.PublicUrl + "/page");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var spoofed = await _client.SendAsync(request);

        Assert.Equal(0, down.ExitCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, spoofed.StatusCode);
        Assert.False(spoofed.Headers.Contains("X-Maintenance-Bypassed"));
        Assert.Empty(Backend.Requests);
    }

    private async Task<HttpResponseMessage> GetAsync(ProxyProcess proxy, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, proxy.PublicUrl + "/page");
        request.Headers.Host = host;
        return await _client.SendAsync(request);
    }
}
