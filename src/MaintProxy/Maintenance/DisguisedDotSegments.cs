namespace MaintProxy.Maintenance;

/// <summary>
/// Dot segments Kestrel leaves in a path because they are not spelled <c>/../</c>, but that backends
/// resolve: a backslash taken as a separator (IIS and ASP.NET on Windows, Tomcat with
/// <c>ALLOW_BACKSLASH</c>, PHP routers that normalise) makes <c>/health/..\admin</c> (or
/// <c>..%5Cadmin</c>) <c>/admin</c>, and a path parameter dropped from a segment (Tomcat, Jetty,
/// Spring) makes <c>/health/..;/admin</c> <c>/admin</c>, and a <c>%2F</c> that Kestrel left encoded
/// is decoded by the backend that receives the path as sent: <c>/health/..%2Fadmin</c> is <c>/admin</c>.
/// </summary>
internal static class DisguisedDotSegments
{
    public static bool AreIn(ReadOnlySpan<char> path)
    {
        if (path.IndexOfAny('\\', ';', '%') < 0)
        {
            return false;
        }

        while (!path.IsEmpty)
        {
            var end = PathSeparators.IndexOf(path, out var separatorLength);
            var segment = end < 0 ? path : path[..end];
            var parameters = segment.IndexOf(';');
            if (parameters >= 0)
            {
                segment = segment[..parameters];
            }

            if (segment is "." or "..")
            {
                return true;
            }

            path = end < 0 ? default : path[(end + separatorLength)..];
        }

        return false;
    }
}
