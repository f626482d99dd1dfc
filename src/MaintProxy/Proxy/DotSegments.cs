namespace MaintProxy.Proxy;

/// <summary>
/// The <c>.</c> and <c>..</c> segments of a decoded path (RFC 3986, 5.2.4). Kestrel removes them from
/// an origin-form target (<c>GET /a/../b</c>), but not from an absolute-form one
/// (<c>GET http://host/a/..%2Fb</c>), whose path it decodes, <c>%2F</c> included, after they were looked for.
/// </summary>
internal static class DotSegments
{
    public static bool AreIn(ReadOnlySpan<char> path)
    {
        var from = 0;
        int at;
        while ((at = path[from..].IndexOf("/.", StringComparison.Ordinal)) >= 0)
        {
            var segment = path[(from + at + 1)..];
            var end = segment.IndexOf('/');
            if (end >= 0)
            {
                segment = segment[..end];
            }

            if (segment is "." or "..")
            {
                return true;
            }

            from += at + 1;
        }

        return false;
    }

    /// <summary>The path with its dot segments applied: <c>/health/../admin</c> is <c>/admin</c>.</summary>
    public static string Remove(string path)
    {
        var kept = new List<string>();
        var segments = path.Split('/');
        var endsInFolder = false;
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i];
            endsInFolder = segment is "." or "..";
            if (segment == "..")
            {
                if (kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }
            }
            else if (segment != ".")
            {
                kept.Add(segment);
            }
        }

        var joined = "/" + string.Join('/', kept);
        return endsInFolder && kept.Count > 0 ? joined + "/" : joined;
    }
}
