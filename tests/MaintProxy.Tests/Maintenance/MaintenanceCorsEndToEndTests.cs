using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>Maintenance answers a page on another origin can read (Maintenance:CorsAllowedOrigins).</summary>
public sealed class MaintenanceCorsEndToEndTests : EndToEndTest
{
    private static HttpClient Client() => new() { Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, url);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request);
    }

    private async Task<ProxyProcess> StartDownAsync(Dictionary<string, string> settings)
    {
        var proxy = await StartProxyAsync(settings);
        var down = await Scripts.DownAsync(proxy);
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
        return proxy;
    }

    [Fact]
    public async Task ListedOrigin_ReadsTheMaintenanceAnswerAndItsRetryAfter()
    {
        await using var proxy = await StartDownAsync(new() { ["Maintenance:CorsAllowedOrigins:0"] = "https://App.example/" });
        using var client = Client();

        using var response = await SendAsync(client, HttpMethod.Post, proxy.PublicUrl + "/api/orders", ("Origin", "https://app.example"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("https://app.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        var exposed = response.Headers.GetValues("Access-Control-Expose-Headers").Single();
        Assert.Contains("Retry-After", exposed, StringComparison.Ordinal);
        Assert.Contains("X-Maintenance-Mode", exposed, StringComparison.Ordinal);
        Assert.Equal(["Accept", "Origin"], response.Headers.Vary);
    }

    [Fact]
    public async Task GrpcWebCallFromListedOrigin_CanReadItsGrpcStatus()
    {
        await using var proxy = await StartDownAsync(new() { ["Maintenance:CorsAllowedOrigins:0"] = "https://app.example" });
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, proxy.PublicUrl + "/pkg.Service/Method") { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc-web+proto");
        request.Headers.TryAddWithoutValidation("Origin", "https://app.example");

        using var response = await client.SendAsync(request);

        // A browser hands a script on another origin only the headers listed here: the call's status is in grpc-status.
        Assert.Equal("14", response.Headers.GetValues("grpc-status").Single());
        var exposed = response.Headers.GetValues("Access-Control-Expose-Headers").Single().Split(", ");
        Assert.Contains("grpc-status", exposed);
        Assert.Contains("grpc-message", exposed);
    }

    [Fact]
    public async Task Preflight_FromListedOrigin_Succeeds_SoTheRequestGetsToSeeThe503()
    {
        await using var proxy = await StartDownAsync(new() { ["Maintenance:CorsAllowedOrigins:0"] = "https://app.example" });
        using var client = Client();

        using var preflight = await SendAsync(client, HttpMethod.Options, proxy.PublicUrl + "/api/orders",
            ("Origin", "https://app.example"), ("Access-Control-Request-Method", "DELETE"), ("Access-Control-Request-Headers", "content-type, x-csrf-token"));

        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("https://app.example", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("DELETE", preflight.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("content-type, x-csrf-token", preflight.Headers.GetValues("Access-Control-Allow-Headers").Single());
        Assert.Equal("0", preflight.Headers.GetValues("Access-Control-Max-Age").Single());
        Assert.Equal("1", preflight.Headers.GetValues("X-Maintenance-Mode").Single());
        Assert.DoesNotContain(Backend.Requests, r => r.Path == "/api/orders");
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("http://app.example")]
    [InlineData("null")]
    public async Task OtherOrigin_GetsNoCorsHeaders_AndItsPreflightTheMaintenanceAnswer(string origin)
    {
        await using var proxy = await StartDownAsync(new() { ["Maintenance:CorsAllowedOrigins:0"] = "https://app.example" });
        using var client = Client();

        using var response = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/api", ("Origin", origin));
        using var preflight = await SendAsync(client, HttpMethod.Options, proxy.PublicUrl + "/api", ("Origin", origin), ("Access-Control-Request-Method", "PUT"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, preflight.StatusCode);
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task AnyOrigin_IsAnsweredWithTheWildcard_NeverWithCredentials()
    {
        await using var proxy = await StartDownAsync(new() { ["Maintenance:CorsAllowedOrigins:0"] = "*" });
        using var client = Client();

        using var response = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/api", ("Origin", "https://anyone.example"));

        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task ByDefault_NoCorsHeaders()
    {
        await using var proxy = await StartDownAsync([]);
        using var client = Client();

        using var response = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/api", ("Origin", "https://app.example"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(["Accept"], response.Headers.Vary);
    }
}
