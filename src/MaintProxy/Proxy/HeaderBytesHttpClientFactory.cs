using System.Text;
using Yarp.ReverseProxy.Forwarder;

namespace MaintProxy.Proxy;

/// <summary>
/// YARP's client factory, sending and reading header values as Latin-1 like Kestrel does (see
/// <see cref="HeaderBytesKestrelSetup"/>), unless a cluster names its own
/// <c>HttpClient:RequestHeaderEncoding</c> or <c>ResponseHeaderEncoding</c>; connecting within
/// <see cref="HttpBackendsOptions.ConnectTimeout"/>; a refused backend certificate logged (<see cref="BackendCertificateCheck"/>);
/// presenting the cluster's client certificate (<see cref="ClientCertificateSettings"/>).
/// </summary>
internal sealed class HeaderBytesHttpClientFactory(
    ILogger<ForwarderHttpClientFactory> logger,
    ILogger<BackendCertificateCheck> certificateLogger,
    HttpBackendsOptions options) : ForwarderHttpClientFactory(logger)
{
    /// <summary>YARP compares the <c>HttpClient</c> settings only; a client certificate named in the metadata counts too.</summary>
    protected override bool CanReuseOldClient(ForwarderHttpClientContext context) =>
        base.CanReuseOldClient(context)
        && ClientCertificateSettings.From(context.OldMetadata) == ClientCertificateSettings.From(context.NewMetadata);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handler);
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = options.ConnectTimeout;
        // Set by the base class only for DangerousAcceptAnyServerCertificate, which refuses nothing.
        handler.SslOptions.RemoteCertificateValidationCallback ??= new BackendCertificateCheck(context.ClusterId, certificateLogger).Validate;
        if (ClientCertificateSettings.From(context.NewMetadata) is { } clientCertificate)
        {
            // Checked by ClientCertificateConfigFilter when the configuration loaded. Presented whatever
            // CAs the backend lists as acceptable, as curl's --cert does.
            var certificate = clientCertificate.Load();
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }

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
