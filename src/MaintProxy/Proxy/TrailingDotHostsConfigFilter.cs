using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// A route's <c>Match:Hosts</c> also match their names written with a trailing dot, and an entry written with
/// one also matches the name without it: <c>shop.example.</c> is
/// <c>shop.example</c> to DNS, to nginx and to a site window, but ASP.NET Core's host matching compares
/// the text, so such a request took another route (the catch-all) to another cluster, and a window for
/// the route's cluster did not cover it. Done once per configuration load: routing costs nothing more.
/// </summary>
internal sealed class TrailingDotHostsConfigFilter : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) =>
        ValueTask.FromResult(cluster);

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        if (route.Match.Hosts is not { Count: > 0 } hosts)
        {
            return ValueTask.FromResult(route);
        }

        var spellings = new List<string>(hosts.Count * 2);
        spellings.AddRange(hosts);
        foreach (var host in hosts)
        {
            if (OtherSpelling(host) is { } other && !spellings.Contains(other, StringComparer.OrdinalIgnoreCase))
            {
                spellings.Add(other);
            }
        }

        return ValueTask.FromResult(spellings.Count == hosts.Count ? route : route with { Match = route.Match with { Hosts = spellings } });
    }

    /// <summary>
    /// <c>shop.example:8443</c> as <c>shop.example.:8443</c>, and <c>shop.example.</c> as <c>shop.example</c>;
    /// null for a host that has no such form (<c>*</c>, an IP literal).
    /// </summary>
    private static string? OtherSpelling(string host)
    {
        if (host.Length == 0 || host.StartsWith('[') || host.StartsWith("*:", StringComparison.Ordinal) || host == "*")
        {
            return null;
        }

        var colon = host.IndexOf(':');
        var name = colon < 0 ? host : host[..colon];
        if (name.EndsWith('.'))
        {
            // Written as a fully qualified name: clients send it without the dot.
            name = name[..^1];
            return name.Length == 0 || name.EndsWith('.') || name == "*" ? null : colon < 0 ? name : string.Concat(name, host.AsSpan(colon));
        }

        if (name.Length == 0 || System.Net.IPAddress.TryParse(name, out _))
        {
            return null;
        }

        return colon < 0 ? name + "." : string.Concat(name, ".", host.AsSpan(colon));
    }
}
