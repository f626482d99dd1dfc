namespace MaintProxy.Maintenance;

/// <summary>
/// <c>X-Original-URL</c> and <c>X-Rewrite-URL</c>, which IIS's URL Rewrite sets and which Zend Framework,
/// Symfony before 2.7.49 and PHP routers built on them take as the request's URI in place of the one on the
/// request line. While a window is on, the proxy lets a request through by its path (an allowed path, or a
/// route to a site the window does not cover); such a header would make the backend run another path, one
/// the window answers. Each is removed under any spelling that a CGI or WSGI gateway reads as the same
/// variable (<c>X_Original_URL</c> is <c>HTTP_X_ORIGINAL_URL</c> too).
/// </summary>
internal static class RewrittenUrlHeaders
{
    private static readonly string[] Names =
    [
        "X-Original-URL", "X_Original_URL", "X-Original_URL", "X_Original-URL",
        "X-Rewrite-URL", "X_Rewrite_URL", "X-Rewrite_URL", "X_Rewrite-URL",
    ];

    public static void RemoveFrom(IHeaderDictionary headers)
    {
        foreach (var name in Names)
        {
            headers.Remove(name);
        }
    }
}
