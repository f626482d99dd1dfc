using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// A self-signed certificate for 127.0.0.1, written as PEM files (certificate and key) into the
/// test's directory, and clients that trust this certificate and no other.
/// </summary>
internal sealed class TestCertificate : IDisposable
{
    private readonly X509Certificate2 _certificate;

    private TestCertificate(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        _certificate = certificate;
        CertificatePath = certificatePath;
        KeyPath = keyPath;
    }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    public string Thumbprint => _certificate.Thumbprint;

    /// <summary>A new certificate, written over the files named <c>proxy.crt</c> and <c>proxy.key</c> in <paramref name="dir"/>.</summary>
    public static TestCertificate Create(TempDirectory dir) =>
        Create(dir, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

    /// <summary>As <see cref="Create(TempDirectory)"/>, with a certificate valid from <paramref name="notBefore"/> to <paramref name="notAfter"/> only.</summary>
    public static TestCertificate Create(TempDirectory dir, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(notBefore, notAfter);
        var created = new TestCertificate(certificate, dir.File("proxy.crt"), dir.File("proxy.key"));
        File.WriteAllText(created.CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(created.KeyPath, key.ExportPkcs8PrivateKeyPem());
        return created;
    }

    /// <summary>The endpoint settings that serve this certificate, as Kestrel's schema names them.</summary>
    public Dictionary<string, string> EndpointSettings(string endpoint, string url) => new()
    {
        [$"Kestrel:Endpoints:{endpoint}:Url"] = url,
        [$"Kestrel:Endpoints:{endpoint}:Certificate:Path"] = CertificatePath,
        [$"Kestrel:Endpoints:{endpoint}:Certificate:KeyPath"] = KeyPath,
    };

    /// <summary>Writes this certificate and its key as a PKCS#12 (.pfx) file protected by <paramref name="password"/>.</summary>
    public string WritePfx(TempDirectory dir, string password)
    {
        var path = dir.File("proxy.pfx");
        File.WriteAllBytes(path, _certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    /// <summary>A client that accepts this certificate only; no cookies, no redirects followed.</summary>
    public HttpClient CreateClient() => new(CreateHandler()) { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>A handler that accepts this certificate only; no cookies, no redirects followed.</summary>
    public SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetCertHashString() == _certificate.GetCertHashString();
        return handler;
    }

    public void Dispose() => _certificate.Dispose();
}
