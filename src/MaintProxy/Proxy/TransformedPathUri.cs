using MaintProxy.Maintenance;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;

namespace MaintProxy.Proxy;

/// <summary>
/// The backend address of a request on a route with a path transform, whose path YARP encodes again:
/// the <c>%2F</c> Kestrel left encoded went out as <c>%252F</c>, so <c>/gitlab/projects/{id}</c> with
/// <c>PathPattern</c> <c>/api/v4/projects/{id}</c> sent GitLab the project <c>group%2Fproject</c> as written,
/// not <c>group/project</c>. A <c>%2F</c> the client wrote is sent as <c>%2F</c>; YARP's address stays when the
/// target's path also has a <c>%25</c> (its <c>%252F</c> reaches the path as <c>%2F</c> too, and the two are not told
/// apart there) or when the transformed path hides a dot segment a backend would resolve.
/// </summary>
internal static class TransformedPathUri
{
    private static readonly UriCreationOptions AsWritten = new() { DangerousDisablePathAndQueryCanonicalization = true };

    public static ValueTask KeepEncodedSlashes(RequestTransformContext transform)
    {
        var path = transform.Path.Value;
        if (path is null || path.IndexOf('%') < 0 || !HasEncodedSlash(path))
        {
            return ValueTask.CompletedTask;
        }

        var target = (transform.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget).AsSpan();
        var query = target.IndexOf('?');
        if (target.IsEmpty || (query < 0 ? target : target[..query]).Contains("%25", StringComparison.Ordinal) || DisguisedDotSegments.AreIn(path))
        {
            return ValueTask.CompletedTask;
        }

        var prefix = transform.DestinationPrefix;
        var encoded = RequestUtilities.MakeDestinationAddress(prefix, transform.Path, QueryString.Empty).OriginalString;
        var pathStart = prefix.EndsWith('/') ? prefix.Length - 1 : prefix.Length;
        var encodedPath = encoded[pathStart..]
            .Replace("%252F", "%2F", StringComparison.Ordinal)
            .Replace("%252f", "%2f", StringComparison.Ordinal);
        transform.ProxyRequest.RequestUri = new Uri(string.Concat(encoded.AsSpan(0, pathStart), encodedPath, transform.Query.QueryString.ToUriComponent()), in AsWritten);
        return ValueTask.CompletedTask;
    }

    private static bool HasEncodedSlash(string path) =>
        path.Contains("%2F", StringComparison.Ordinal) || path.Contains("%2f", StringComparison.Ordinal);
}
