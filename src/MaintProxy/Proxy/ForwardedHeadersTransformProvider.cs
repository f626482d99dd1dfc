using MaintProxy.Maintenance;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace MaintProxy.Proxy;

/// <summary>
/// YARP's default <c>X-Forwarded-*</c> headers, with two corrections. They describe the socket's peer,
/// replacing what the client sent so that nobody can spoof them; but when that peer is one of
/// <c>Maintenance:TrustedProxies</c> (a load balancer ending TLS in front of MaintProxy), the backend
/// would be told the balancer is the client and the scheme is http. From a trusted proxy the backend
/// gets its <c>X-Forwarded-For</c> with the proxy appended, and its <c>X-Forwarded-Proto</c> and
/// <c>X-Forwarded-Host</c>, as nginx's <c>$proxy_add_x_forwarded_for</c> does. And an IPv4 client on a
/// dual-stack listener (<c>[::]:80</c>) is named as IPv4, as in <c>REMOTE_ADDR</c> for FastCGI, not as
/// <c>::ffff:203.0.113.9</c>. Routes that configure their own X-Forwarded transform keep it.
/// </summary>
internal sealed class ForwardedHeadersTransformProvider(MaintenancePolicy policy) : ITransformProvider
{
    private const string ForHeader = "X-Forwarded-For";
    private const string ProtoHeader = "X-Forwarded-Proto";
    private const string HostHeader = "X-Forwarded-Host";

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.UseDefaultForwarders == false)
        {
            return;
        }

        // YARP's defaults, added here rather than after every provider, so that the correction runs after them.
        context.AddXForwarded();
        context.AddRequestTransform(transform => CorrectAsync(transform, policy));
    }

    private static ValueTask CorrectAsync(RequestTransformContext transform, MaintenancePolicy policy)
    {
        var remote = transform.HttpContext.Connection.RemoteIpAddress;
        var trusted = policy.IsPeerTrusted(transform.HttpContext);
        if (remote is null || (!trusted && !remote.IsIPv4MappedToIPv6))
        {
            return ValueTask.CompletedTask;
        }

        var incoming = transform.HttpContext.Request.Headers;
        var outgoing = transform.ProxyRequest.Headers;
        var peer = ClientAddress.Normalize(remote)!.ToString();
        var forwardedFor = trusted && incoming.TryGetValue(ForHeader, out var chain) && !StringValues.IsNullOrEmpty(chain)
            ? string.Join(", ", chain.Append(peer))
            : peer;
        outgoing.Remove(ForHeader);
        outgoing.TryAddWithoutValidation(ForHeader, forwardedFor);
        if (trusted)
        {
            KeepIncoming(incoming, outgoing, ProtoHeader);
            KeepIncoming(incoming, outgoing, HostHeader);
        }

        return ValueTask.CompletedTask;
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
