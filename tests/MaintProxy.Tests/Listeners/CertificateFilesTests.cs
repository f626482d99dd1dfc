using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MaintProxy.Listeners;
using MaintProxy.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace MaintProxy.Tests.Listeners;

/// <summary>The certificate forms Kestrel's <c>Certificate</c> section names on disk, read the same way.</summary>
public sealed class CertificateFilesTests : IDisposable
{
    private const string Password = "correct horse";

    private readonly TempDirectory _dir = new();
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _certificate;

    public CertificateFilesTests()
    {
        var request = new CertificateRequest("CN=maintproxy.test", _key, HashAlgorithmName.SHA256);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(_dir.File("cert.pem"), _certificate.ExportCertificatePem());
        File.WriteAllText(_dir.File("key.pem"), _key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(_dir.File("key.encrypted.pem"), _key.ExportEncryptedPkcs8PrivateKeyPem(Password,
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000)));
        File.WriteAllBytes(_dir.File("cert.pfx"), _certificate.Export(X509ContentType.Pkcs12, Password));
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _key.Dispose();
        _dir.Dispose();
    }

    [Theory]
    [InlineData("cert.pem", "key.pem", null)]
    [InlineData("cert.pem", "key.encrypted.pem", Password)]
    [InlineData("cert.pfx", null, Password)]
    public void Load_EachFormKestrelNames_GivesTheCertificateWithItsKey(string path, string? keyPath, string? password)
    {
        // Relative paths, as an operator may write them: they start at the content root.
        using var loaded = CertificateFiles.Load(Section(path, keyPath, password), _dir.Path);

        Assert.Equal(_certificate.Thumbprint, loaded.Thumbprint);
        Assert.True(loaded.HasPrivateKey);
    }

    [Fact]
    public void Load_NoPath_NamesTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => CertificateFiles.Load(Section(null, "key.pem", null), _dir.Path));

        Assert.StartsWith("Kestrel:Endpoints:Secure:Certificate:Path is not set", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing.pem", "key.pem", null)]
    [InlineData("cert.pem", "key.encrypted.pem", "wrong")]
    [InlineData("cert.pfx", null, "wrong")]
    public void Load_FileMissingOrPasswordWrong_NamesTheKeyAndTheFile(string path, string? keyPath, string? password)
    {
        var error = Assert.Throws<InvalidOperationException>(() => CertificateFiles.Load(Section(path, keyPath, password), _dir.Path));

        Assert.StartsWith($"Kestrel:Endpoints:Secure:Certificate: the certificate {_dir.File(path)} cannot be loaded", error.Message, StringComparison.Ordinal);
    }

    private static IConfigurationSection Section(string? path, string? keyPath, string? password) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Secure:Certificate:Path"] = path,
            ["Kestrel:Endpoints:Secure:Certificate:KeyPath"] = keyPath,
            ["Kestrel:Endpoints:Secure:Certificate:Password"] = password,
        }).Build().GetSection("Kestrel:Endpoints:Secure:Certificate");
}
