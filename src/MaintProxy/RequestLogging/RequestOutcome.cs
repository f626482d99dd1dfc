using MaintProxy.Maintenance;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace MaintProxy.RequestLogging;

/// <summary>How a request was answered, read from what the pipeline left on the context.</summary>
internal static class RequestOutcome
{
    public const string Forwarded = "forwarded";
    public const string ProxyError = "proxy-error";
    public const string Local = "local";

    public static string Of(HttpContext context)
    {
        if (context.Features.Get<MaintenanceOutcomeFeature>() is { } maintenance)
        {
            return maintenance.Outcome == MaintenanceOutcome.Maintenance || context.Features.Get<IForwarderErrorFeature>() is null
                ? maintenance.LogName
                : ProxyError;
        }

        if (context.Features.Get<IReverseProxyFeature>() is null)
        {
            return Local;
        }

        return context.Features.Get<IForwarderErrorFeature>() is null ? Forwarded : ProxyError;
    }
}
