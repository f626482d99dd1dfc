using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MaintProxy.Listeners;

/// <summary>
/// Loads a certificate the way Kestrel's <c>Certificate</c> section names one on disk: <c>Path</c> and
/// <c>KeyPath</c> for PEM files (<c>Password</c> if the key is encrypted), or <c>Path</c> and
/// <c>Password</c> for a PKCS#12 (.pfx) file. Relative paths start at the content root,
/// as Kestrel's do.
/// </summary>
internal static class CertificateFiles
{
    public static X509Certificate2 Load(IConfigurationSection section, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(section["Path"]))
        {
            throw new InvalidOperationException(
                $"{section.Path}:Path is not set: give the certificate as files (Path and KeyPath for PEM, or Path and Password for .pfx)");
        }

        var path = Path.Combine(contentRoot, section["Path"]!);
        var keyPath = string.IsNullOrWhiteSpace(section["KeyPath"]) ? null : Path.Combine(contentRoot, section["KeyPath"]!);
        var password = section["Password"];
        try
        {
            return (keyPath, password) switch
            {
                (null, _) => X509CertificateLoader.LoadPkcs12FromFile(path, password),
                (_, null) => X509Certificate2.CreateFromPemFile(path, keyPath),
                _ => X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath),
            };
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"{section.Path}: the certificate {path} cannot be loaded: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The other certificates of the <c>Path</c> file: the intermediates after the certificate in a
    /// <c>fullchain.pem</c>, or in a .pfx. The handshake sends them after <paramref name="certificate"/>, as
    /// Kestrel does on the endpoints it binds itself; without them a client that does not fetch missing
    /// intermediates (curl, OpenSSL, most non-browser clients) cannot verify the certificate.
    /// </summary>
    public static X509Certificate2Collection LoadIntermediates(IConfigurationSection section, string contentRoot, X509Certificate2 certificate)
    {
        var path = Path.Combine(contentRoot, section["Path"]!);
        try
        {
            X509Certificate2Collection all;
            if (string.IsNullOrWhiteSpace(section["KeyPath"]))
            {
                all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, section["Password"]);
            }
            else
            {
                all = [];
                all.ImportFromPemFile(path);
            }

            var intermediates = new X509Certificate2Collection();
            foreach (var other in all)
            {
                if (other.HasPrivateKey || other.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
                {
                    other.Dispose();
                    continue;
                }

                intermediates.Add(other);
            }

            return intermediates;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"{section.Path}: the certificate {path} cannot be loaded: {ex.Message}", ex);
        }
    }
}
