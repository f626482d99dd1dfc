using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// Loads each cluster's client certificate (<see cref="ClientCertificateSettings"/>) when the configuration
/// loads, so that a wrong path, password or key stops the start (or is refused on reload, keeping the
/// configuration in use) rather than failing every request to the backend.
/// </summary>
internal sealed class ClientCertificateConfigFilter : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        // A misspelt key (ClientCertificate.Pth) left the backend without a certificate, unseen.
        if (cluster.Metadata?.Keys.FirstOrDefault(ClientCertificateSettings.IsUnknownKey) is { } unknown)
        {
            throw new InvalidOperationException(
                $"Cluster '{cluster.ClusterId}': metadata '{unknown}' is not read; a client certificate is named with '{ClientCertificateSettings.PathKey}', '{ClientCertificateSettings.KeyPathKey}' and '{ClientCertificateSettings.PasswordKey}'");
        }

        if (ClientCertificateSettings.HasKeysWithoutPath(cluster.Metadata))
        {
            throw new InvalidOperationException(
                $"Cluster '{cluster.ClusterId}': metadata '{ClientCertificateSettings.KeyPathKey}' or '{ClientCertificateSettings.PasswordKey}' needs '{ClientCertificateSettings.PathKey}', the certificate file");
        }

        if (ClientCertificateSettings.From(cluster.Metadata) is { } settings)
        {
            try
            {
                settings.Load().Dispose();
            }
            catch (InvalidOperationException ex)
            {
                throw new InvalidOperationException($"Cluster '{cluster.ClusterId}': {ex.Message}", ex);
            }
        }

        return ValueTask.FromResult(cluster);
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
