using MaintProxy.Proxy;

namespace MaintProxy.Maintenance;

/// <summary>A request on its way to a backend, as the drain sees it.</summary>
internal sealed class InFlightRequest(HostString host, Endpoint? endpoint, bool exempt)
{
    public HostString Host { get; } = host;

    /// <summary>Looked up only when someone asks (the status surface, a drain), not per request.</summary>
    public string? ClusterId => EndpointCluster.IdOf(endpoint);

    /// <summary>Let through by a maintenance exception (bypass, allowed path, read-only): not drained.</summary>
    public bool Exempt { get; } = exempt;

    public bool IsFor(string site) =>
        string.Equals(ClusterId, site, StringComparison.Ordinal)
        || string.Equals(Host.Host, site, StringComparison.OrdinalIgnoreCase);
}
