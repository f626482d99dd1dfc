using MaintProxy.Maintenance;
using MaintProxy.Proxy;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace MaintProxy.FastCgi;

/// <summary>
/// Replaces YARP's client factory: clusters whose metadata says <c>"Transport": "FastCGI"</c> get an
/// invoker over <see cref="FastCgiHttpMessageHandler"/>; every other cluster gets YARP's own client.
/// </summary>
internal sealed class FastCgiForwarderHttpClientFactory(
    ILogger<ForwarderHttpClientFactory> yarpLogger,
    ILogger<BackendCertificateCheck> certificateLogger,
    ILogger<FastCgiHttpMessageHandler> logger,
    IOptions<FastCgiOptions> options,
    IOptions<HttpBackendsOptions> httpOptions,
    TimeProvider timeProvider,
    MaintenanceGate? maintenance = null) : IForwarderHttpClientFactory
{
    private readonly ForwarderHttpClientFactory _http = new HeaderBytesHttpClientFactory(yarpLogger, certificateLogger, httpOptions.Value);

    public HttpMessageInvoker CreateClient(ForwarderHttpClientContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var old = context.OldClient as FastCgiInvoker;
        if (!FastCgiMetadata.IsFastCgi(context.NewMetadata))
        {
            if (old is null)
            {
                return _http.CreateClient(context);
            }

            Retire(old, context.ClusterId);
            return _http.CreateClient(new ForwarderHttpClientContext
            {
                ClusterId = context.ClusterId,
                OldConfig = context.OldConfig,
                OldMetadata = context.OldMetadata,
                NewConfig = context.NewConfig,
                NewMetadata = context.NewMetadata,
            });
        }

        if (old is not null && context.OldConfig == context.NewConfig && SameMetadata(context.OldMetadata, context.NewMetadata))
        {
            return old;
        }

        if (!FastCgiClusterSettings.TryParse(context.ClusterId, context.NewMetadata, out var settings, out var error))
        {
            throw new InvalidOperationException($"Cluster '{context.ClusterId}': {error}");
        }

        // Without keep-conn every connection closes after its request and pins no worker; the
        // configuration filter insists on a bound whenever keep-conn is on.
        var maxConnections = context.NewConfig.MaxConnectionsPerServer ?? int.MaxValue;
        var handler = new FastCgiHttpMessageHandler(settings, maxConnections, options.Value, timeProvider, logger, maintenance);
        if (old is not null)
        {
            Retire(old, context.ClusterId);
        }

        FastCgiLog.ClientCreated(logger, context.ClusterId, settings.DocumentRoot, maxConnections, settings.KeepConn);
        if (settings.FrontController is not null && !Directory.Exists(settings.DocumentRoot))
        {
            FastCgiLog.DocumentRootNotVisible(logger, context.ClusterId, settings.DocumentRoot, settings.Index);
        }

        return new FastCgiInvoker(handler);
    }

    private void Retire(FastCgiInvoker old, string clusterId)
    {
        // Not disposed: requests already under way still hold the old invoker and must finish.
        old.Handler.Retire();
        FastCgiLog.ClientRetired(logger, clusterId);
    }

    private static bool SameMetadata(IReadOnlyDictionary<string, string>? left, IReadOnlyDictionary<string, string>? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        return left.Count == right.Count
            && left.All(pair => right.TryGetValue(pair.Key, out var value) && string.Equals(value, pair.Value, StringComparison.Ordinal));
    }
}
