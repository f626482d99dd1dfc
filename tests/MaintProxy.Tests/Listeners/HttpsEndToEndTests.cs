using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Listeners;

/// <summary>
/// TLS ended at the proxy: an HTTPS endpoint added in Kestrel's own schema, with a PEM certificate
/// and key, beside the plain one; HTTP/1.1 and HTTP/2 (ALPN) forwarded and refused alike.
/// </summary>
public sealed class HttpsEndToEndTests : EndToEndTest, IDisposable
{
    private const string Secret = "https-bypass-secret-0123";

    private readonly TestCertificate _certificate;
    private readonly HttpClient _client;

    public HttpsEndToEndTests()
    {
        _certificate = TestCertificate.Create(Dir);
        _client = _certificate.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _certificate.Dispose();
    }

    [Fact]
    public async Task RelativeCertificatePaths_StartAtTheBinarysFolderNotTheWorkingDirectory()
    {
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var binaryFolder = Path.GetDirectoryName(proxyDll)!;
        File.Copy(_certificate.CertificatePath, Path.Combine(binaryFolder, "site.crt"));
        File.Copy(_certificate.KeyPath, Path.Combine(binaryFolder, "site.key"));
        var httpsUrl = $"https://127.0.0.1:{FreePort.Next()}";
        var settings = new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Secure:Url"] = httpsUrl,
            ["Kestrel:Endpoints:Secure:Certificate:Path"] = "site.crt",
            ["Kestrel:Endpoints:Secure:Certificate:KeyPath"] = "site.key",
        };

        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url, settings, proxyDll: proxyDll);
        using var forwarded = await _client.GetAsync(httpsUrl + "/orders");

        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task HttpsEndpoint_ForwardsAsHttps_AndMaintenanceAnswersOnIt(string version)
    {
        var httpsUrl = $"https://127.0.0.1:{FreePort.Next()}";
        await using var proxy = await StartProxyAsync(_certificate.EndpointSettings("Secure", httpsUrl));

        using var forwarded = await SendAsync(httpsUrl + "/orders", version);
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        Assert.Equal(Version.Parse(version), forwarded.Version);
        Assert.Equal("https", Backend.Requests.Single().Header("X-Forwarded-Proto"));

        var down = await Scripts.DownAsync(proxy, "--secret=" + Secret);
        Assert.True(down.ExitCode == 0, down.Stderr);
        using var refused = await SendAsync(httpsUrl + "/orders", version);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", refused.Headers.GetValues("X-Maintenance-Mode").Single());

        using var bypass = await SendAsync(httpsUrl + "/" + Secret, version);
        Assert.Equal(HttpStatusCode.Redirect, bypass.StatusCode);
        Assert.Contains("secure", bypass.Headers.GetValues("Set-Cookie").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.Single(Backend.Requests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HttpsEndpointWithAFullChainFile_SendsTheIntermediateCertificates(bool pkcs12)
    {
        // Kestrel sends the intermediates of a PEM full chain, but of a .pfx only the certificate, which curl and OpenSSL refuse.
        using var chain = TestCertificateChain.Create(Dir, pkcs12);
        var httpsUrl = $"https://127.0.0.1:{FreePort.Next()}";
        var settings = chain.EndpointSettings("Secure");
        settings["Kestrel:Endpoints:Secure:Url"] = httpsUrl;
        await using var proxy = await StartProxyAsync(settings);

        var built = new List<string>();
        using var client = chain.CreateChainRecordingClient(built);

        using var answer = await client.GetAsync(httpsUrl + "/chain");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(["CN=127.0.0.1", "CN=MaintProxy Test Intermediate"], built.Take(2));
    }

    [Theory]
    [InlineData("pfx with a wrong password", "The certificate data cannot be read with the provided password")]
    [InlineData("key file that holds no key", "the key does not match the certificate")]
    [InlineData("certificate file missing", "Could not find file")]
    public async Task UnusableCertificateFiles_StopTheStartWithOneLineNamingTheKey(string problem, string reason)
    {
        var endpoint = _certificate.EndpointSettings("Secure", $"https://127.0.0.1:{FreePort.Next()}");
        switch (problem)
        {
            case "pfx with a wrong password":
                endpoint["Kestrel:Endpoints:Secure:Certificate:Path"] = _certificate.WritePfx(Dir, "right-password");
                endpoint.Remove("Kestrel:Endpoints:Secure:Certificate:KeyPath");
                endpoint["Kestrel:Endpoints:Secure:Certificate:Password"] = "wrong-password";
                break;
            case "key file that holds no key":
                endpoint["Kestrel:Endpoints:Secure:Certificate:KeyPath"] = _certificate.CertificatePath;
                break;
            default:
                endpoint["Kestrel:Endpoints:Secure:Certificate:Path"] = Dir.File("missing.crt");
                break;
        }

        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, endpoint);

        Assert.Contains("MaintProxy cannot start: Kestrel:Endpoints:Secure:Certificate: the certificate ", output, StringComparison.Ordinal);
        Assert.Contains(reason, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CertificateFileRenewedWhileServing_RefusesAndCutsNothing_TheRunningOneStays()
    {
        const int Chunks = 250; // 15 s: longer than Kestrel's polling watcher takes to notice (up to 8 s)
        await using var downloads = await TestBackend.StartAsync(async context =>
        {
            for (var i = 0; i < Chunks && context.Request.Path == "/download"; i++)
            {
                await context.Response.Body.WriteAsync(new byte[16 * 1024], context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(60, context.RequestAborted);
            }
        });
        var httpsUrl = $"https://127.0.0.1:{FreePort.Next()}";
        // Polling file watchers: Kestrel would notice the renewal on any file system.
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, downloads.Url, _certificate.EndpointSettings("Secure", httpsUrl),
            new Dictionary<string, string> { ["DOTNET_USE_POLLING_FILE_WATCHER"] = "1" });
        using var download = await _client.GetAsync(httpsUrl + "/download", HttpCompletionOption.ResponseHeadersRead);
        var body = download.Content.ReadAsByteArrayAsync();

        using var renewed = TestCertificate.Create(Dir);
        var refused = 0;
        for (var probe = 0; probe < 24; probe++)
        {
            await Task.Delay(500);
            using var fresh = _certificate.CreateClient(); // a new connection, trusting the first certificate only
            try
            {
                using var answer = await fresh.GetAsync(httpsUrl + "/probe");
            }
            catch (HttpRequestException)
            {
                refused++;
            }
        }

        Assert.Equal(0, refused);
        Assert.Equal(Chunks * 16 * 1024, (await body).Length);
    }

    private Task<HttpResponseMessage> SendAsync(string url, string version) =>
        _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url)
        {
            Version = Version.Parse(version),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
}
