using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace MaintProxy.FastCgi;

/// <summary>
/// For routes to FastCGI clusters, hands the client's request and the chosen destination to the
/// FastCGI handler: CGI parameters describe the client's connection, which the outgoing request lacks.
/// </summary>
internal sealed class FastCgiTransformProvider : ITransformProvider
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
        if (!FastCgiMetadata.IsFastCgi(context.Cluster?.Metadata))
        {
            return;
        }

        context.AddRequestTransform(static transform =>
        {
            var options = transform.ProxyRequest.Options;
            options.Set(FastCgiRequestOptions.HttpContext, transform.HttpContext);
            options.Set(FastCgiRequestOptions.DestinationPrefix, transform.DestinationPrefix);
            return ValueTask.CompletedTask;
        });
    }
}
