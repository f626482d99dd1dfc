using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace MaintProxy.Proxy;

/// <summary>
/// Passes on the backend's status as the client can read it. A 204 has no body, so the backend's
/// <c>Content-Length</c> on it (a framework that counted a body it did not send) is dropped and the 204
/// goes on, as nginx passes it on: Kestrel would otherwise see none of the announced bytes written and
/// replace the backend's 204 with a 500 of its own. A status below 100 (<c>HTTP/1.1 099</c>, which
/// .NET's client reads as 99) is no HTTP status: Kestrel would write it as <c>HTTP/1.1 99</c>, which
/// clients refuse (an HTTP/2 client gets a stream error), logged as forwarded; it is a 502 instead,
/// logged <c>proxy-error</c> with a warning naming it.
/// </summary>
internal sealed class BackendStatusTransformProvider(ILogger<BackendStatusTransformProvider> logger) : ITransformProvider
{
    private const int LowestStatus = 100;

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.AddResponseTransform(transform =>
        {
            var response = transform.HttpContext.Response;
            if (response.StatusCode == StatusCodes.Status204NoContent)
            {
                response.ContentLength = null;
            }
            else if (response.StatusCode < LowestStatus && transform.ProxyResponse is not null)
            {
                RefuseStatus(transform, logger);
            }

            return ValueTask.CompletedTask;
        });
    }

    private static void RefuseStatus(ResponseTransformContext transform, ILogger logger)
    {
        var context = transform.HttpContext;
        ProxyLog.StatusBelow100(logger, (int)transform.ProxyResponse!.StatusCode, context.GetReverseProxyFeature().Cluster.Config.ClusterId);
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status502BadGateway;
        context.Features.Set<IForwarderErrorFeature>(new UnreadableStatusError());
        transform.SuppressResponseBody = true;
    }
}
