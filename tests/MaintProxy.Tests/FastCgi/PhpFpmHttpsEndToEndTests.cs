using System.Text.Json;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>php-fpm is told whether the client's connection to the proxy was TLS, as nginx's <c>fastcgi_param HTTPS $https</c> does.</summary>
public sealed class PhpFpmHttpsEndToEndTests : FastCgiEndToEndTest
{
    [Fact]
    public async Task Get_OverTlsAndOverPlainHttp_HttpsIsOnOnlyForTls()
    {
        using var certificate = TestCertificate.Create(Dir);
        var securePort = FreePort.Next();
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(10),
            certificate.EndpointSettings("Secure", $"https://127.0.0.1:{securePort}"));
        using var tlsClient = certificate.CreateClient();

        var secure = await ServerParamsAsync(tlsClient, $"https://127.0.0.1:{securePort}/info.php");
        // A client on plain HTTP cannot claim TLS with a header: X-Forwarded-Proto reaches PHP as sent, HTTPS does not.
        using var plainRequest = new HttpRequestMessage(HttpMethod.Get, proxy.PublicUrl + "/info.php");
        plainRequest.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        var plain = await ServerParamsAsync(Client, plainRequest);

        Assert.Equal("on", secure.GetProperty("HTTPS").GetString());
        Assert.Equal("https", secure.GetProperty("REQUEST_SCHEME").GetString());
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("HTTPS").ValueKind);
        Assert.Equal("http", plain.GetProperty("REQUEST_SCHEME").GetString());
    }

    private static Task<JsonElement> ServerParamsAsync(HttpClient client, string url) =>
        ServerParamsAsync(client, new HttpRequestMessage(HttpMethod.Get, url));

    private static async Task<JsonElement> ServerParamsAsync(HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{request.RequestUri}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("server").Clone();
    }
}
