namespace MaintProxy.FastCgi;

/// <summary>What the proxy hands the FastCGI handler beside the outgoing request.</summary>
internal static class FastCgiRequestOptions
{
    /// <summary>The client's request: its protocol, addresses, original Host and raw target become CGI parameters.</summary>
    public static readonly HttpRequestOptionsKey<HttpContext> HttpContext = new("MaintProxy.FastCgi.HttpContext");

    /// <summary>The destination address the request goes to; tells where a Unix socket path ends.</summary>
    public static readonly HttpRequestOptionsKey<string> DestinationPrefix = new("MaintProxy.FastCgi.DestinationPrefix");

    /// <summary>Set on YARP's active health probes: their path goes to the server as it is (php-fpm's <c>ping.path</c>).</summary>
    public static readonly HttpRequestOptionsKey<bool> HealthProbe = new("MaintProxy.FastCgi.HealthProbe");
}
