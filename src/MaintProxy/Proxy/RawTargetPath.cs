using System.Buffers;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.Features;

namespace MaintProxy.Proxy;

/// <summary>
/// The path of the client's request target, byte for byte, when it is the path the proxy decided on:
/// decoded as Kestrel decodes it (every valid percent-encoding but <c>%2F</c>, which stays encoded),
/// it gives exactly that path. Otherwise (dot segments Kestrel applied, an absolute-form target, an
/// encoding that is not valid UTF-8 such as an overlong <c>%c0%af</c>) there is none.
/// </summary>
internal static class RawTargetPath
{
    private const int StackLimit = 256;

    public static bool TryGet(HttpContext context, string? decidedPath, out ReadOnlySpan<char> rawPath)
    {
        rawPath = default;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (decidedPath is null || context.Request.PathBase.HasValue || target is not { Length: > 0 } || target[0] != '/')
        {
            return false;
        }

        var path = target.AsSpan();
        var query = path.IndexOf('?');
        if (query >= 0)
        {
            path = path[..query];
        }

        if (!DecodesTo(path, decidedPath))
        {
            return false;
        }

        rawPath = path;
        return true;
    }

    public static bool DecodesTo(ReadOnlySpan<char> raw, ReadOnlySpan<char> path)
    {
        var percent = raw.IndexOf('%');
        if (percent < 0)
        {
            return raw.SequenceEqual(path);
        }

        if (percent > path.Length || !raw[..percent].SequenceEqual(path[..percent]))
        {
            return false;
        }

        raw = raw[percent..];
        path = path[percent..];
        byte[]? rentedBytes = null;
        char[]? rentedChars = null;
        var bytes = raw.Length <= StackLimit ? stackalloc byte[StackLimit] : (rentedBytes = ArrayPool<byte>.Shared.Rent(raw.Length));
        var chars = raw.Length <= StackLimit ? stackalloc char[StackLimit] : (rentedChars = ArrayPool<char>.Shared.Rent(raw.Length));
        try
        {
            var length = Decode(raw, bytes);
            return length >= 0
                && Utf8.ToUtf16(bytes[..length], chars, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done
                && chars[..written].SequenceEqual(path);
        }
        finally
        {
            if (rentedBytes is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedBytes);
            }

            if (rentedChars is not null)
            {
                ArrayPool<char>.Shared.Return(rentedChars);
            }
        }
    }

    /// <summary>The bytes <paramref name="raw"/> decodes to, <c>%2F</c> kept as written; -1 for a character that is not ASCII.</summary>
    private static int Decode(ReadOnlySpan<char> raw, Span<byte> bytes)
    {
        var length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c > 0x7F)
            {
                return -1;
            }

            if (c == '%' && i + 2 < raw.Length && char.IsAsciiHexDigit(raw[i + 1]) && char.IsAsciiHexDigit(raw[i + 2])
                && (HexValue(raw[i + 1]) << 4 | HexValue(raw[i + 2])) is var value and not '/')
            {
                bytes[length++] = (byte)value;
                i += 2;
            }
            else
            {
                bytes[length++] = (byte)c;
            }
        }

        return length;
    }

    private static int HexValue(char digit) => digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10;
}
