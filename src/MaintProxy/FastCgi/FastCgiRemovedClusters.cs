using Yarp.ReverseProxy.Model;

namespace MaintProxy.FastCgi;

/// <summary>
/// A FastCGI cluster removed from the configuration (or renamed) gets no new client, so the client
/// factory never retires its transport: this does. Otherwise its idle connections stayed open, each
/// holding a php-fpm worker, and its pools' timers ran for as long as the proxy did.
/// </summary>
internal sealed class FastCgiRemovedClusters(ILogger<FastCgiHttpMessageHandler> logger) : IClusterChangeListener
{
    public void OnClusterAdded(ClusterState cluster)
    {
    }

    public void OnClusterChanged(ClusterState cluster)
    {
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
