using System.Text;

namespace MaintProxy.Maintenance;

/// <summary>
/// Where a backend may see a path segment end: at <c>/</c> and <c>\</c>, and at <c>%2F</c> and
/// <c>%5C</c>, which Kestrel leaves encoded in a path (<c>%2F</c>) and backends decode once the path
/// reaches them as the client sent it.
/// </summary>
internal static class PathSeparators
{
    /// <summary>The index of the first separator in <paramref name="path"/> and its <paramref name="length"/> (1 or 3), or -1.</summary>
    public static int IndexOf(ReadOnlySpan<char> path, out int length)
    {
        var from = 0;
        int at;
        while ((at = path[from..].IndexOfAny('/', '\\', '%')) >= 0)
        {
            at += from;
            if (path[at] != '%')
            {
                length = 1;
                return at;
            }

            if (IsEncodedAt(path[at..]))
            {
                length = 3;
                return at;
            }

            from = at + 1;
        }

        length = 0;
        return -1;
    }

    /// <summary>Whether <paramref name="path"/> holds a <c>%2F</c> or <c>%5C</c>, in either letter case.</summary>
    public static bool AreEncodedIn(ReadOnlySpan<char> path)
    {
        int at;
        while ((at = path.IndexOf('%')) >= 0)
        {
            if (IsEncodedAt(path[at..]))
            {
                return true;
            }

            path = path[(at + 1)..];
        }

        return false;
    }

    /// <summary>
    /// <paramref name="path"/> with each separator a backend may see (<c>\</c>, <c>%2F</c>, <c>%5C</c>) as <c>/</c>;
    /// <paramref name="path"/> itself when it has none.
    /// </summary>
    public static string AsSlashes(string path)
    {
        if (!path.Contains('\\', StringComparison.Ordinal) && !AreEncodedIn(path))
        {
            return path;
        }

        var slashes = new StringBuilder(path.Length);
        var rest = path.AsSpan();
        int end;
        while ((end = IndexOf(rest, out var length)) >= 0)
        {
            slashes.Append(rest[..end]).Append('/');
            rest = rest[(end + length)..];
        }

        return slashes.Append(rest).ToString();
    }

    private static bool IsEncodedAt(ReadOnlySpan<char> text) =>
        text.Length >= 3 && ((text[1] == '2' && text[2] is 'F' or 'f') || (text[1] == '5' && text[2] is 'C' or 'c'));
}
