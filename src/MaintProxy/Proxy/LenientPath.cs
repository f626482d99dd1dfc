using MaintProxy.Maintenance;

namespace MaintProxy.Proxy;

/// <summary>
/// A path as the most lenient backends read it: repeated slashes merged (Tomcat, nginx, Apache,
/// Python's http.server), a backslash taken as a slash (IIS, ASP.NET on Windows, Tomcat with
/// <c>ALLOW_BACKSLASH</c>, PHP routers that normalise), path parameters dropped (<c>/admin;x/y</c> is
/// <c>/admin/y</c> to Tomcat, Jetty and Spring), <c>%2F</c> taken as a slash (nginx, PHP, Python's
/// http.server decode it: the path reaches them as sent), then dot segments applied.
/// </summary>
internal static class LenientPath
{
    /// <summary>Whether <paramref name="path"/> could read differently; cheap, for every request.</summary>
    public static bool MayDiffer(ReadOnlySpan<char> path) =>
        path.IndexOfAny('\\', ';', '#') >= 0 || path.Contains("//", StringComparison.Ordinal) || PathSeparators.AreEncodedIn(path);

    public static string Read(string path)
    {
        var kept = new List<string>();
        var endsInFolder = false;
        var rest = path.AsSpan();
        while (true)
        {
            var end = PathSeparators.IndexOf(rest, out var separatorLength);
            var part = end < 0 ? rest : rest[..end];
            var parameters = part.IndexOf(';');
            var segment = parameters >= 0 ? part[..parameters] : part;
            endsInFolder = segment is "" or "." or "..";
            if (segment is "..")
            {
                if (kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }
            }
            else if (!endsInFolder)
            {
                kept.Add(segment.ToString());
            }

            if (end < 0)
            {
                break;
            }

            rest = rest[(end + separatorLength)..];
        }

        var joined = "/" + string.Join('/', kept);
        return endsInFolder && kept.Count > 0 ? joined + "/" : joined;
    }
}
