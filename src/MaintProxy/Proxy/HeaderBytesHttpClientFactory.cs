using System.Text;
using Yarp.ReverseProxy.Forwarder;

namespace MaintProxy.Proxy;

/// <summary>
/// YARP's client factory, sending and reading header values as Latin-1 like Kestrel does (see
/// <see cref="HeaderBytesKestrelSetup"/>), unless a cluster names its own
/// <c>HttpClient:RequestHeaderEncoding</c> or <c>ResponseHeaderEncoding</c>; connecting within
/// <see cref="HttpBackendsOptions.ConnectTimeout"/>; a refused backend certificate logged (<see cref="BackendCertificateCheck"/>).
/// </summary>
internal sealed class HeaderBytesHttpClientFactory(
    ILogger<ForwarderHttpClientFactory> logger,
    ILogger<BackendCertificateCheck> certificateLogger,
    HttpBackendsOptions options) : ForwarderHttpClientFactory(logger)
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handler);
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = options.ConnectTimeout;
        // Set by the base class only for DangerousAcceptAnyServerCertificate, which refuses nothing.
        handler.SslOptions.RemoteCertificateValidationCallback ??= new BackendCertificateCheck(context.ClusterId, certificateLogger).Validate;
        if (context.NewConfig.RequestHeaderEncoding is null)
        {
            handler.RequestHeaderEncodingSelector = static (_, _) => Encoding.Latin1;
        }

        if (context.NewConfig.ResponseHeaderEncoding is null)
        {
            handler.ResponseHeaderEncodingSelector = static (_, _) => Encoding.Latin1;
        }
    }
}
