using Yarp.ReverseProxy.Model;

namespace MaintProxy.FastCgi;

/// <summary>
/// Closes what the client factory cannot see go: a FastCGI cluster removed from the configuration (or
/// renamed) gets no new client, and a destination removed from a cluster whose client settings did not
/// change keeps the same client. Otherwise their idle connections stayed open, each holding a php-fpm
/// worker, and each pool with its timer lived as long as the proxy.
/// </summary>
internal sealed class FastCgiClusterChanges(ILogger<FastCgiHttpMessageHandler> logger) : IClusterChangeListener
{
    public void OnClusterAdded(ClusterState cluster)
    {
    }

    public void OnClusterChanged(ClusterState cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (cluster.Model.HttpClient is not FastCgiInvoker invoker || invoker.Handler.IsRetired)
        {
            return;
        }

        var addresses = new HashSet<string>(StringComparer.Ordinal);
        foreach (var destination in cluster.Destinations.Values)
        {
            foreach (var address in (ReadOnlySpan<string?>)[destination.Model.Config.Address, destination.Model.Config.Health])
            {
                if (FastCgiEndpoint.TryParseAddress(address, out var endpoint, out _))
                {
                    addresses.Add(endpoint.Address);
                }
            }
        }

        foreach (var address in invoker.Handler.RetirePoolsExcept(addresses))
        {
            FastCgiLog.DestinationRemoved(logger, cluster.ClusterId, address);
        }
    }

    public void OnClusterRemoved(ClusterState cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (cluster.Model.HttpClient is FastCgiInvoker invoker && !invoker.Handler.IsRetired)
        {
            // Not disposed: requests already under way on it must finish; their connections close after them.
            invoker.Handler.Retire();
            FastCgiLog.ClusterRemoved(logger, cluster.ClusterId);
        }
    }
}
