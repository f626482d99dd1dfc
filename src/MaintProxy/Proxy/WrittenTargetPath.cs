using System.Globalization;
using System.Text;
using MaintProxy.Maintenance;
using Microsoft.AspNetCore.Http.Features;

namespace MaintProxy.Proxy;

/// <summary>
/// The path of the request target up to a <c>#</c>, decoded as Kestrel decodes it but with <c>%25</c> and
/// <c>%2F</c> kept as written, where Kestrel's path does not tell apart what a backend does.
/// Kestrel turns both <c>%2F</c> and <c>%252F</c> into <c>%2F</c> (and <c>%255C</c> into <c>%5C</c>); a
/// backend given the target as sent decodes it once, so only the first is a slash to it and
/// <c>/files/a%252F..%252Fadmin</c> is a file under <c>/files</c>. Kestrel keeps a <c>#</c> in the path,
/// and decodes <c>%23</c> into one; nginx, Python's <c>http.server</c> and Node's URL parsing end the path
/// at a <c>#</c> as written, so <c>/admin#x</c> is <c>/admin</c> to them, and <c>/admin%23x</c> is not.
/// </summary>
internal static class WrittenTargetPath
{
    /// <summary>Whether <paramref name="path"/> may read otherwise from the target as written: a <c>#</c>, or an encoded separator that may be an encoded <c>%</c>.</summary>
    public static bool IsNeeded(HttpContext context, string path)
    {
        if (!path.Contains('#', StringComparison.Ordinal) && !PathSeparators.AreEncodedIn(path))
        {
            return false;
        }

        return context.Features.Get<IHttpRequestFeature>()?.RawTarget is { } target
            && (target.Contains('#', StringComparison.Ordinal) || target.Contains("%25", StringComparison.Ordinal));
    }

    /// <summary>The path of <paramref name="context"/>'s target so decoded; null when the target has no path to read.</summary>
    public static string? Of(HttpContext context)
    {
        var target = (context.Features.Get<IHttpRequestFeature>()?.RawTarget).AsSpan();
        if (!target.StartsWith('/'))
        {
            // Absolute form: the path starts after the authority.
            var scheme = target.IndexOf("://", StringComparison.Ordinal);
            if (scheme < 0)
            {
                return null;
            }

            target = target[(scheme + 3)..];
            var path = target.IndexOf('/');
            target = path < 0 ? "/" : target[path..];
        }

        var query = target.IndexOfAny('?', '#');
        return Decode(query >= 0 ? target[..query] : target);
    }

    private static string Decode(ReadOnlySpan<char> raw)
    {
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(raw.Length)];
        var length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '%' && i + 2 < raw.Length && char.IsAsciiHexDigit(raw[i + 1]) && char.IsAsciiHexDigit(raw[i + 2])
                && byte.Parse(raw.Slice(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) is var value and not (byte)'%' and not (byte)'/')
            {
                bytes[length++] = value;
                i += 2;
            }
            else
            {
                length += Encoding.UTF8.GetBytes(raw.Slice(i, 1), bytes.AsSpan(length));
            }
        }

        return Encoding.UTF8.GetString(bytes, 0, length);
    }
}
