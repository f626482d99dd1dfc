using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// A certificate for 127.0.0.1 issued by an intermediate CA under a root no store holds, written as a
/// CA would deliver it: certbot's <c>fullchain.pem</c> and <c>privkey.pem</c>, or a <c>.pfx</c> holding both.
/// A client then verifies it only if the handshake sends the intermediate.
/// </summary>
internal sealed class TestCertificateChain : IDisposable
{
    private const string Password = "secret";

    private readonly X509Certificate2 _leaf;

    private TestCertificateChain(X509Certificate2 leaf, Dictionary<string, string> certificateSettings)
    {
        _leaf = leaf;
        CertificateSettings = certificateSettings;
    }

    /// <summary>The settings under an endpoint's <c>Certificate</c> key, without that prefix (<c>Path</c>, <c>KeyPath</c> or <c>Password</c>).</summary>
    public IReadOnlyDictionary<string, string> CertificateSettings { get; }

    /// <summary>
    /// A new chain, written into <paramref name="dir"/> as a PEM full chain and key, or when <paramref name="pkcs12"/>
    /// as a .pfx that holds the intermediate after the certificate and the certificate repeated without its key
    /// (neither is the one the handshake presents first).
    /// </summary>
    public static TestCertificateChain Create(TempDirectory dir, bool pkcs12)
    {
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=MaintProxy Test Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var root = rootRequest.CreateSelfSigned(notBefore, notAfter);
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=MaintProxy Test Intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        using var intermediate = intermediateRequest.Create(root, notBefore, notAfter, [1]);
        using var intermediateWithKey = intermediate.CopyWithPrivateKey(intermediateKey);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        var leaf = leafRequest.Create(intermediateWithKey, notBefore, notAfter, [2]);
        if (pkcs12)
        {
            using var leafWithKey = leaf.CopyWithPrivateKey(leafKey);
            using var leafAgain = X509CertificateLoader.LoadCertificate(leaf.RawData);
            X509Certificate2Collection bundle = [intermediate, leafWithKey, leafAgain];
            File.WriteAllBytes(dir.File("chain.pfx"), bundle.Export(X509ContentType.Pkcs12, Password)!);
            return new TestCertificateChain(leaf, new() { ["Path"] = dir.File("chain.pfx"), ["Password"] = Password });
        }

        File.WriteAllText(dir.File("fullchain.pem"), leaf.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n");
        File.WriteAllText(dir.File("privkey.pem"), leafKey.ExportPkcs8PrivateKeyPem());
        return new TestCertificateChain(leaf, new() { ["Path"] = dir.File("fullchain.pem"), ["KeyPath"] = dir.File("privkey.pem") });
    }

    /// <summary>The settings that serve this chain on <paramref name="endpoint"/> (<c>Kestrel:Endpoints:</c> that name).</summary>
    public Dictionary<string, string> EndpointSettings(string endpoint) =>
        CertificateSettings.ToDictionary(setting => $"Kestrel:Endpoints:{endpoint}:Certificate:{setting.Key}", setting => setting.Value);

    /// <summary>
    /// A client that accepts this certificate only and adds to <paramref name="built"/> the subjects of the chain it
    /// could build from what the handshake sent (no store holds the intermediate).
    /// </summary>
    public HttpClient CreateChainRecordingClient(List<string> built)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, chain, _) =>
        {
            built.AddRange(chain!.ChainElements.Select(element => element.Certificate.Subject));
            return presented is not null && presented.GetCertHashString() == _leaf.GetCertHashString();
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    public void Dispose() => _leaf.Dispose();
}
