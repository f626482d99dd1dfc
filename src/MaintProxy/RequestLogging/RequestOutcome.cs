using MaintProxy.Maintenance;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace MaintProxy.RequestLogging;

/// <summary>How a request was answered, read from what the pipeline left on the context.</summary>
internal static class RequestOutcome
{
    public const string Forwarded = "forwarded";
    public const string ProxyError = "proxy-error";
    public const string ClientError = "client-error";
    public const string Local = "local";
    public const string InternalError = "internal-error";

    /// <summary>The hard stop (a second signal, or <c>Lifetime:DrainTimeout</c>) cut the request off: neither side failed.</summary>
    public const string CutOff = "cut-off";

    /// <summary>The status logged for a request cut off before its answer began: its client got none (as Envoy logs it).</summary>
    public const int NoStatusSent = 0;

    /// <summary>Kestrel answered the request itself (malformed, too large, too slow): the pipeline never saw it.</summary>
    public const string Refused = "refused";

    public static string Of(HttpContext context)
    {
        var error = context.Features.Get<IForwarderErrorFeature>();
        if (context.Features.Get<MaintenanceOutcomeFeature>() is { } maintenance)
        {
            return maintenance.Outcome == MaintenanceOutcome.Maintenance || error is null
                ? maintenance.LogName
                : OfError(error.Error);
        }

        if (context.Features.Get<IReverseProxyFeature>() is null)
        {
            return Local;
        }

        return error is null ? Forwarded : OfError(error.Error);
    }

    /// <summary>
    /// How a request that ended in an exception is answered: Kestrel sends a 500 if nothing was sent
    /// yet, and otherwise cuts the connection, leaving the status already sent. The response's own
    /// status would still say what the pipeline meant to send (a 200, often).
    /// </summary>
    public static int StatusAfterException(HttpContext context) =>
        context.Response.HasStarted ? context.Response.StatusCode : StatusCodes.Status500InternalServerError;

    /// <summary>A client that left ends its request in an exception too; anything else is the proxy's own failure.</summary>
    public static string OfException(HttpContext context) =>
        context.RequestAborted.IsCancellationRequested ? ClientError : InternalError;

    /// <summary>The client's side of the exchange failed (it left, or sent a body over the limit): not the backend.</summary>
    public static bool IsClientSide(ForwarderError error) => error
        is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
        or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient
        or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeRequestClient
        or ForwarderError.UpgradeResponseCanceled or ForwarderError.UpgradeResponseClient;

    private static string OfError(ForwarderError error) => IsClientSide(error) ? ClientError : ProxyError;
}
