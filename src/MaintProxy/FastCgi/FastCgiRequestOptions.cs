namespace MaintProxy.FastCgi;

/// <summary>What the proxy's request transform hands the FastCGI handler beside the outgoing request.</summary>
internal static class FastCgiRequestOptions
{
    /// <summary>The client's request: its protocol, addresses, original Host and raw target become CGI parameters.</summary>
    public static readonly HttpRequestOptionsKey<HttpContext> HttpContext = new("MaintProxy.FastCgi.HttpContext");

    /// <summary>The destination address the request goes to; tells where a Unix socket path ends.</summary>
    public static readonly HttpRequestOptionsKey<string> DestinationPrefix = new("MaintProxy.FastCgi.DestinationPrefix");
}
