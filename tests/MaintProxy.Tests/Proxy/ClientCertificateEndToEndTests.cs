using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// A backend that requires a client certificate (mutual TLS) gets the one named in the cluster's
/// metadata; a certificate that cannot be loaded stops the start naming the cluster.
/// </summary>
public sealed class ClientCertificateEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TempDirectory _clientDir = new();

    public void Dispose()
    {
        _clientDir.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task ClientCertificateInMetadata_IsPresentedToABackendThatRequiresOne()
    {
        using var serverCertificate = TestCertificate.Create(_dir);
        using var clientCertificate = TestCertificate.Create(_clientDir);
        await using var backend = await TestBackend.StartHttpsAsync(serverCertificate,
            context => context.Response.WriteAsync("client " + context.Connection.ClientCertificate?.Thumbprint), requireClientCertificate: true);
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:HttpClient:DangerousAcceptAnyServerCertificate"] = "true",
            ["ReverseProxy:Clusters:app:Metadata:ClientCertificate.Path"] = clientCertificate.CertificatePath,
            ["ReverseProxy:Clusters:app:Metadata:ClientCertificate.KeyPath"] = clientCertificate.KeyPath,
        });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var response = await client.GetAsync(proxy.PublicUrl + "/orders");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("client " + clientCertificate.Thumbprint, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ClientCertificateWithoutItsKey_RefusesToStartNamingTheCluster()
    {
        using var clientCertificate = TestCertificate.Create(_clientDir);

        var output = await ProxyProcess.StartRefusedAsync(_dir.Path, "https://127.0.0.1:1/", new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:Metadata:ClientCertificate.Path"] = clientCertificate.CertificatePath,
        });

        Assert.Contains($"Cluster 'app': the client certificate {clientCertificate.CertificatePath} cannot be loaded", output, StringComparison.Ordinal);
    }
}
