using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace MaintProxy.FastCgi;

/// <summary>
/// Wraps YARP's probing request factory: the probes of FastCGI clusters are marked, so that their
/// path goes to the server as it is, not to the front controller (php-fpm answers its
/// <c>ping.path</c> only when it is the script name); the probes of other clusters are YARP's own, untouched.
/// </summary>
internal sealed class FastCgiProbingRequestFactory(IProbingRequestFactory inner) : IProbingRequestFactory
{
    public HttpRequestMessage CreateRequest(ClusterModel cluster, DestinationModel destination)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var request = inner.CreateRequest(cluster, destination);
        if (FastCgiMetadata.IsFastCgi(cluster.Config.Metadata))
        {
            request.Options.Set(FastCgiRequestOptions.HealthProbe, true);
        }

        return request;
    }
}
