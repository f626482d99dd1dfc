using System.Net;

namespace MaintProxy.Listeners;

/// <summary>
/// Checks the <c>Url</c> of each endpoint in <c>Kestrel:Endpoints</c> before Kestrel binds it. Kestrel
/// itself ends the process with an unhandled exception on a URL it cannot parse or a port above 65535,
/// and listens on every interface for a host name it does not know, so a misspelt
/// <c>http://127.0.0.l:8080</c> would serve the whole network.
/// </summary>
internal static class PublicEndpointUrls
{
    public static void ThrowIfInvalid(IConfigurationSection endpoints)
    {
        foreach (var endpoint in endpoints.GetChildren())
        {
            if (endpoint["Url"] is { } url && ProblemWith(url) is { } problem)
            {
                throw new InvalidOperationException($"{endpoint.Path}:Url '{url}' {problem}");
            }
        }
    }

    private static string? ProblemWith(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return "is not a URL to listen on: write http:// or https://, an address and a port, as http://0.0.0.0:80.";
        }

        if (!address.Scheme.Equals("http", StringComparison.OrdinalIgnoreCase) && !address.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
        {
            return "must start with http:// or https://.";
        }

        if (address.PathBase.Length > 0)
        {
            return "has a path: a listener is an address and a port (a route's Match:Path chooses paths).";
        }

        if (address.IsUnixPipe)
        {
            return null;
        }

        if (EmptyPort.IsIn(url))
        {
            return EmptyPort.Problem + ".";
        }

        if (address.Port is < 0 or > IPEndPoint.MaxPort)
        {
            return $"has a port outside 0 to {IPEndPoint.MaxPort}.";
        }

        return IsListenableHost(address.Host)
            ? null
            : "does not name an address: Kestrel would listen on every interface for it. Write an IP address "
                + "(0.0.0.0 or [::] for every interface, 127.0.0.1 for this machine only), localhost, or * for every interface.";
    }

    private static bool IsListenableHost(string host) =>
        host is "*" or "+"
        || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || IPAddress.TryParse(host.Trim('[', ']'), out _);
}
