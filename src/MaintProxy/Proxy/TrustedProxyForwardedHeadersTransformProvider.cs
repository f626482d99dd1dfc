using System.Net;
using MaintProxy.Maintenance;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace MaintProxy.Proxy;

/// <summary>
/// YARP's default <c>X-Forwarded-*</c> headers describe the socket's peer, replacing what the client
/// sent, so nobody can spoof them. When that peer is one of <c>Maintenance:TrustedProxies</c> (a load
/// balancer ending TLS in front of MaintProxy), that would tell the backend the balancer is the
/// client and the scheme is http. From a trusted proxy the backend gets its <c>X-Forwarded-For</c>
/// with the proxy appended, and its <c>X-Forwarded-Proto</c> and <c>X-Forwarded-Host</c>, as nginx's
/// <c>$proxy_add_x_forwarded_for</c> does. Routes that configure their own X-Forwarded transform keep it.
/// </summary>
internal sealed class TrustedProxyForwardedHeadersTransformProvider(IOptions<MaintenanceOptions> options) : ITransformProvider
{
    private const string ForHeader = "X-Forwarded-For";
    private const string ProtoHeader = "X-Forwarded-Proto";
    private const string HostHeader = "X-Forwarded-Host";

    private readonly IPNetwork[] _trustedProxies = options.Value.TrustedProxies
        .Select(p => ClientAddress.TryParseNetwork(p, out var network) ? network : default)
        .ToArray();

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_trustedProxies.Length == 0 || context.UseDefaultForwarders == false)
        {
            return;
        }

        // YARP's defaults, added here rather than after every provider, so that this transform runs after them.
        context.AddXForwarded();
        var trustedProxies = _trustedProxies;
        context.AddRequestTransform(transform =>
        {
            if (!ClientAddress.IsPeerTrusted(transform.HttpContext, trustedProxies))
            {
                return ValueTask.CompletedTask;
            }

            var incoming = transform.HttpContext.Request.Headers;
            var outgoing = transform.ProxyRequest.Headers;
            if (incoming.TryGetValue(ForHeader, out var forwardedFor) && outgoing.TryGetValues(ForHeader, out var peer))
            {
                var chain = string.Join(", ", forwardedFor.Append(string.Join(", ", peer)));
                outgoing.Remove(ForHeader);
                outgoing.TryAddWithoutValidation(ForHeader, chain);
            }

            KeepIncoming(incoming, outgoing, ProtoHeader);
            KeepIncoming(incoming, outgoing, HostHeader);
            return ValueTask.CompletedTask;
        });
    }

    private static void KeepIncoming(IHeaderDictionary incoming, System.Net.Http.Headers.HttpRequestHeaders outgoing, string name)
    {
        if (incoming.TryGetValue(name, out var value) && !StringValues.IsNullOrEmpty(value))
        {
            outgoing.Remove(name);
            outgoing.TryAddWithoutValidation(name, value.ToString());
        }
    }
}
