using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.FastCgi;

/// <summary>
/// Checks FastCGI clusters when the configuration loads, so that a typo fails the start (or is
/// refused on reload, keeping the last good configuration) instead of failing requests.
/// </summary>
internal sealed class FastCgiConfigFilter : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var metadata = cluster.Metadata;
        var transport = metadata?.GetValueOrDefault(FastCgiMetadata.Transport);
        var isFastCgi = string.Equals(transport, FastCgiMetadata.FastCgiTransport, StringComparison.OrdinalIgnoreCase);
        if (transport is not null && !isFastCgi && !string.Equals(transport, FastCgiMetadata.HttpTransport, StringComparison.OrdinalIgnoreCase))
        {
            throw Error(cluster, $"unknown transport '{transport}' in metadata '{FastCgiMetadata.Transport}' (use '{FastCgiMetadata.FastCgiTransport}', or '{FastCgiMetadata.HttpTransport}' / nothing for HTTP)");
        }

        if (!isFastCgi)
        {
            if (metadata?.Keys.FirstOrDefault(key => key.StartsWith("FastCGI.", StringComparison.OrdinalIgnoreCase)) is { } stray)
            {
                throw Error(cluster, $"metadata '{stray}' needs \"{FastCgiMetadata.Transport}\": \"{FastCgiMetadata.FastCgiTransport}\"");
            }

            foreach (var (id, destination) in cluster.Destinations ?? new Dictionary<string, DestinationConfig>())
            {
                if (Uri.TryCreate(destination.Address, UriKind.Absolute, out var uri) && FastCgiEndpoint.IsFastCgiScheme(uri.Scheme))
                {
                    throw Error(cluster, $"destination '{id}' has the FastCGI address '{destination.Address}'; set metadata \"{FastCgiMetadata.Transport}\": \"{FastCgiMetadata.FastCgiTransport}\" on the cluster");
                }

                // YARP takes any string here and fails each request with an unhandled exception (500).
                if (!IsHttpUrl(destination.Address) || (!string.IsNullOrEmpty(destination.Health) && !IsHttpUrl(destination.Health)))
                {
                    throw Error(cluster, $"destination '{id}' has the address '{destination.Address}'{(string.IsNullOrEmpty(destination.Health) ? "" : $" (health '{destination.Health}')")}: an HTTP cluster's addresses are absolute http:// or https:// URLs, as http://127.0.0.1:3000/");
                }
            }

            return ValueTask.FromResult(cluster);
        }

        if (!FastCgiClusterSettings.TryParse(cluster.ClusterId, metadata, out var settings, out var error))
        {
            throw Error(cluster, error);
        }

        // A kept-alive connection holds a server worker for as long as it lives; more connections
        // than workers leave requests stuck in the server's accept queue behind them.
        if (settings.KeepConn && cluster.HttpClient?.MaxConnectionsPerServer is null)
        {
            throw Error(cluster, $"the FastCGI transport keeps connections open (metadata '{FastCgiMetadata.KeepConn}'), so it needs \"HttpClient\": {{ \"MaxConnectionsPerServer\": N }} with N the server's worker count (php-fpm: pm.max_children); or set '{FastCgiMetadata.KeepConn}' to false");
        }

        foreach (var (id, destination) in cluster.Destinations ?? new Dictionary<string, DestinationConfig>())
        {
            if (!FastCgiEndpoint.TryParseAddress(destination.Address, out _, out var addressError))
            {
                throw Error(cluster, $"destination '{id}': {addressError}");
            }

            if (!string.IsNullOrEmpty(destination.Health) && !FastCgiEndpoint.TryParseAddress(destination.Health, out _, out var healthError))
            {
                throw Error(cluster, $"destination '{id}' health address: {healthError}");
            }
        }

        return ValueTask.FromResult(cluster);
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);

    private static bool IsHttpUrl(string? address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static InvalidOperationException Error(ClusterConfig cluster, string message) =>
        new($"Cluster '{cluster.ClusterId}': {message}");
}
