using MaintProxy.FastCgi;
using MaintProxy.Maintenance;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace MaintProxy.Proxy;

/// <summary>
/// Sends a request marked by <see cref="SingleRequestConnectionFeature"/> with <c>Connection: close</c>,
/// so that its backend connection serves it alone (HTTP clusters only). Without a window it costs one field read.
/// </summary>
internal sealed class SingleRequestConnectionTransformProvider(MaintenanceState state) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (FastCgiMetadata.IsFastCgi(context.Cluster?.Metadata))
        {
            return; // FastCGI frames the body: nothing of it can be read as another request.
        }

        context.AddRequestTransform(transform =>
        {
            if (state.Current.IsDown && transform.HttpContext.Features.Get<SingleRequestConnectionFeature>() is not null)
            {
                transform.ProxyRequest.Headers.ConnectionClose = true;
            }

            return ValueTask.CompletedTask;
        });
    }
}
