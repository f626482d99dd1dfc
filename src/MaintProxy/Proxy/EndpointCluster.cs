using Yarp.ReverseProxy.Model;

namespace MaintProxy.Proxy;

/// <summary>The YARP cluster a matched endpoint forwards to.</summary>
internal static class EndpointCluster
{
    public static string? IdOf(Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<RouteModel>()?.Cluster?.ClusterId;
}
