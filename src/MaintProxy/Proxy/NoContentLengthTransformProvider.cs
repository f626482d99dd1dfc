using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace MaintProxy.Proxy;

/// <summary>
/// A 204 has no body, so the backend's <c>Content-Length</c> on it (a framework that counted a body it
/// did not send) is dropped and the 204 goes on, as nginx passes it on. Kestrel would otherwise see
/// none of the announced bytes written and replace the backend's 204 with a 500 of its own.
/// </summary>
internal sealed class NoContentLengthTransformProvider : ITransformProvider
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
        context.AddResponseTransform(static transform =>
        {
            var response = transform.HttpContext.Response;
            if (response.StatusCode == StatusCodes.Status204NoContent)
            {
                response.ContentLength = null;
            }

            return ValueTask.CompletedTask;
        });
    }
}
