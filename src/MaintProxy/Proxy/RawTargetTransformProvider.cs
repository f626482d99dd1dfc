using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace MaintProxy.Proxy;

/// <summary>
/// Sends the backend the path of the request target as the client wrote it (<see cref="RawTargetPath"/>),
/// as nginx's <c>proxy_pass</c> without a URI part does: YARP would send the decoded path encoded again,
/// and <c>%2F</c>, which Kestrel leaves encoded, arrived as <c>%252F</c> (npm scopes <c>/@types%2fcors</c>,
/// GitLab's <c>/api/v4/projects/group%2Fproject</c>). Routes with a path transform send the path as
/// transformed, with the client's <c>%2F</c> kept (<see cref="TransformedPathUri"/>).
/// </summary>
internal sealed class RawTargetTransformProvider : ITransformProvider
{
    private static readonly UriCreationOptions AsWritten = new() { DangerousDisablePathAndQueryCanonicalization = true };

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var transforms = context.Route.Transforms ?? [];
        if (transforms.Any(t => t.Keys.Any(k => k.StartsWith("Path", StringComparison.OrdinalIgnoreCase))))
        {
            context.AddRequestTransform(TransformedPathUri.KeepEncodedSlashes);
            return;
        }

        var queryTransformed = transforms.Any(t => t.Keys.Any(k => k.StartsWith("Query", StringComparison.OrdinalIgnoreCase)));
        context.AddRequestTransform(queryTransformed ? static t => SetTarget(t, t.Query.QueryString) : static t => SetTarget(t, t.HttpContext.Request.QueryString));
    }

    private static ValueTask SetTarget(RequestTransformContext transform, QueryString query)
    {
        var decided = transform.Path.Value;
        if (string.Equals(decided, transform.HttpContext.Request.Path.Value, StringComparison.Ordinal)
            && RawTargetPath.TryGet(transform.HttpContext, decided, out var rawPath))
        {
            var prefix = transform.DestinationPrefix.AsSpan();
            if (prefix.EndsWith('/'))
            {
                prefix = prefix[..^1];
            }

            transform.ProxyRequest.RequestUri = new Uri(string.Concat(prefix, rawPath, query.Value), in AsWritten);
        }

        return ValueTask.CompletedTask;
    }
}
