namespace MaintProxy.Maintenance;

/// <summary>
/// Marks a request with a body that a window let through by its path (an allowed path, a route to a
/// site it does not cover): it goes to an HTTP backend with <c>Connection: close</c>. A backend that
/// answers without reading the body (a health check on a server such as Python's <c>http.server</c>)
/// would read that body as the next request on the connection, and run it: a <c>DELETE /admin/…</c>
/// the window answers. Closing after the answer leaves the body unread. One shared instance.
/// </summary>
internal sealed class SingleRequestConnectionFeature
{
    public static readonly SingleRequestConnectionFeature Instance = new();

    private SingleRequestConnectionFeature()
    {
    }
}
