using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>The routes and clusters in use, kept for an edit that is not applied, with that edit's change token.</summary>
internal sealed class HeldProxyConfig(IProxyConfig applied, IChangeToken changeToken) : IProxyConfig
{
    public string RevisionId { get; } = applied.RevisionId;

    public IReadOnlyList<RouteConfig> Routes { get; } = applied.Routes;

    public IReadOnlyList<ClusterConfig> Clusters { get; } = applied.Clusters;

    public IChangeToken ChangeToken { get; } = changeToken;
}
