namespace MaintProxy.Proxy;

internal static partial class ProxyLog
{
    [LoggerMessage(3001, LogLevel.Warning, "Backend certificate refused for cluster {ClusterId}, host {TargetHost}: {Reasons}; certificate {Subject}, issued by {Issuer}, valid {NotBefore:u} to {NotAfter:u}. The request gets 502. Trust a private CA in the system store or through SSL_CERT_FILE/SSL_CERT_DIR (see README, HTTPS backends)")]
    public static partial void CertificateRefused(ILogger logger, string clusterId, string targetHost, string reasons, string subject, string issuer, DateTime notBefore, DateTime notAfter);

    [LoggerMessage(3002, LogLevel.Warning, "Backend certificate refused for cluster {ClusterId}, host {TargetHost}: {Reasons}. The request gets 502")]
    public static partial void NoCertificate(ILogger logger, string clusterId, string targetHost, string reasons);

    [LoggerMessage(3003, LogLevel.Error, "{Problem} The edit is not applied: the routes and clusters in use stay until the value is valid again.")]
    public static partial void EditNotApplied(ILogger logger, string problem);

    [LoggerMessage(3004, LogLevel.Warning, "Backend of cluster {ClusterId} answered with status {StatusCode}, below 100, which is no HTTP status. The request gets 502")]
    public static partial void StatusBelow100(ILogger logger, int statusCode, string clusterId);
}
