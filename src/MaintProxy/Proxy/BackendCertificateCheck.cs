using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MaintProxy.Proxy;

/// <summary>
/// .NET's own validation of an HTTPS backend's certificate, unchanged, and one warning line when it
/// refuses one, saying why in words (expired, not for this name, an issuer not trusted) and naming the
/// cluster. Without it the only trace was YARP's forwarding error with a stack trace and an enum name
/// (<c>PartialChain</c>). Runs once per TLS handshake, never per request.
/// </summary>
internal sealed class BackendCertificateCheck(string clusterId, ILogger<BackendCertificateCheck> logger)
{
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        var targetHost = (sender as SslStream)?.TargetHostName ?? "";
        var reasons = string.Join("; ", ReasonsFor(errors, certificate as X509Certificate2, chain, targetHost));
        if (certificate is X509Certificate2 presented)
        {
            ProxyLog.CertificateRefused(logger, clusterId, targetHost, reasons, presented.Subject, presented.Issuer,
                presented.NotBefore.ToUniversalTime(), presented.NotAfter.ToUniversalTime());
        }
        else
        {
            ProxyLog.NoCertificate(logger, clusterId, targetHost, reasons);
        }

        return false;
    }

    private static IEnumerable<string> ReasonsFor(SslPolicyErrors errors, X509Certificate2? certificate, X509Chain? chain, string targetHost)
    {
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            yield return "the backend sent no certificate";
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            yield return $"it is not for the name '{targetHost}' (it names {NamesIn(certificate)}; set the destination's Host, or its address, to a name it covers)";
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            foreach (var status in chain?.ChainStatus ?? [])
            {
                yield return ChainReason(status, certificate, chain!.ChainPolicy.VerificationTime);
            }
        }
    }

    private static string NamesIn(X509Certificate2? certificate)
    {
        var alternative = certificate?.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var names = alternative is null
            ? [certificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false) ?? ""]
            : alternative.EnumerateDnsNames().Concat(alternative.EnumerateIPAddresses().Select(address => address.ToString())).ToArray();
        return string.Join(", ", names.Select(name => $"'{name}'"));
    }

    /// <summary>Why the chain failed; times compared with the time the chain was checked at.</summary>
    private static string ChainReason(X509ChainStatus status, X509Certificate2? certificate, DateTime checkedAt) => status.Status switch
    {
        X509ChainStatusFlags.NotTimeValid when certificate is not null && certificate.NotAfter < checkedAt =>
            $"it expired on {certificate.NotAfter.ToUniversalTime():u}",
        X509ChainStatusFlags.NotTimeValid when certificate is not null =>
            $"it is not valid before {certificate.NotBefore.ToUniversalTime():u}",
        X509ChainStatusFlags.UntrustedRoot =>
            "it is self-signed, or its root CA is not trusted here",
        X509ChainStatusFlags.PartialChain =>
            "its issuer is not trusted here (a private CA not in the trusted store, or a backend that does not send its intermediate certificate)",
        X509ChainStatusFlags.Revoked => "it is revoked",
        _ => $"{status.Status}: {status.StatusInformation.Trim()}",
    };
}
