using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MaintProxy.Proxy;

/// <summary>
/// The client certificate an HTTP cluster presents to a backend that asks for one (mutual TLS), named in
/// the cluster's <c>Metadata</c>: YARP's configuration has no key for it. <c>ClientCertificate.Path</c>
/// is a PEM certificate with <c>ClientCertificate.KeyPath</c> its PEM key (or the key in the same file),
/// or a <c>.pfx</c>/<c>.p12</c> file opened with <c>ClientCertificate.Password</c>.
/// </summary>
internal sealed record ClientCertificateSettings(string Path, string? KeyPath, string? Password)
{
    public const string PathKey = "ClientCertificate.Path";
    public const string KeyPathKey = "ClientCertificate.KeyPath";
    public const string PasswordKey = "ClientCertificate.Password";

    /// <summary>The settings in <paramref name="metadata"/>, or null when the cluster names no client certificate.</summary>
    public static ClientCertificateSettings? From(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata?.GetValueOrDefault(PathKey) is not { Length: > 0 } path)
        {
            return null;
        }

        var keyPath = metadata.GetValueOrDefault(KeyPathKey);
        return new ClientCertificateSettings(path, string.IsNullOrEmpty(keyPath) ? null : keyPath, metadata.GetValueOrDefault(PasswordKey));
    }

    /// <summary>True for a metadata key of the <c>ClientCertificate.</c> family that is none of its keys.</summary>
    public static bool IsUnknownKey(string key) =>
        key.StartsWith("ClientCertificate.", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(key, PathKey, StringComparison.OrdinalIgnoreCase)
        && !string.Equals(key, KeyPathKey, StringComparison.OrdinalIgnoreCase)
        && !string.Equals(key, PasswordKey, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="metadata"/> sets a client certificate key but not its path.</summary>
    public static bool HasKeysWithoutPath(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null
        && string.IsNullOrEmpty(metadata.GetValueOrDefault(PathKey))
        && (metadata.ContainsKey(KeyPathKey) || metadata.ContainsKey(PasswordKey));

    /// <summary>Reads the files; throws <see cref="InvalidOperationException"/> saying what is wrong with them.</summary>
    public X509Certificate2 Load()
    {
        X509Certificate2 certificate;
        try
        {
            certificate = IsPkcs12
                ? X509CertificateLoader.LoadPkcs12FromFile(Path, Password)
                : X509Certificate2.CreateFromPemFile(Path, KeyPath);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"the client certificate {Path}{(KeyPath is null ? "" : $" (key {KeyPath})")} cannot be loaded: {ex.Message}", ex);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"the client certificate {Path} has no private key: set metadata '{KeyPathKey}' to its key file");
        }

        return certificate;
    }

    private bool IsPkcs12 =>
        KeyPath is null
        && (Path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || Path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase));
}
