using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace MaintProxy.Proxy;

/// <summary>
/// The path of the request target decoded as Kestrel decodes it, but with <c>%25</c> and <c>%2F</c> kept
/// as written. Kestrel turns both <c>%2F</c> and <c>%252F</c> into <c>%2F</c> (and <c>%255C</c> into
/// <c>%5C</c>); a backend given the target as sent decodes it once, so only the first is a slash to it
/// and <c>/files/a%252F..%252Fadmin</c> is a file under <c>/files</c>. Kept as written, the two stay apart.
/// </summary>
internal static class PercentKeptPath
{
    /// <summary>Whether <paramref name="context"/>'s target encodes a percent sign, which Kestrel decoded into the path.</summary>
    public static bool IsNeeded(HttpContext context) =>
        context.Features.Get<IHttpRequestFeature>()?.RawTarget is { } target && target.Contains("%25", StringComparison.Ordinal);

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
