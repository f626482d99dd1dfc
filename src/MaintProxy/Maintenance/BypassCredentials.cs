using System.Buffers.Text;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace MaintProxy.Maintenance;

/// <summary>
/// The secret and the cookie it earns. The sentinel holds only the secret's SHA-256; the cookie is
/// <c>v1.{expiry}.{HMAC-SHA256(secret hash, expiry)}</c>, so it expires, cannot be forged without the
/// secret, and stops working when the window gets a new secret. Comparisons take constant time.
/// The cookie is found by its exact name, in every <c>Cookie</c> header, both to accept it and to
/// remove it, so that what is accepted is always what is removed.
/// </summary>
internal static class BypassCredentials
{
    public const string HeaderName = "X-Maintenance-Bypass";
    public const string CookieName = "maintproxy_bypass";
    private const string CookiePrefix = CookieName + "=";
    private const string Version = "v1";
    private const string MacLabel = "maintproxy-bypass|";

    public static bool IsSecret(ReadOnlySpan<char> candidate, byte[] secretHash)
    {
        if (candidate.IsEmpty || candidate.Length > 256)
        {
            return false;
        }

        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(candidate.Length)];
        var length = Encoding.UTF8.GetBytes(candidate, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        return CryptographicOperations.FixedTimeEquals(hash, secretHash);
    }

    public static string IssueCookie(byte[] secretHash, DateTimeOffset expires)
    {
        var expiry = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"{Version}.{expiry}.{Mac(secretHash, expiry)}";
    }

    /// <summary>True when one of the request's bypass cookies is valid.</summary>
    public static bool HasValidCookie(StringValues cookieHeaders, byte[] secretHash, DateTimeOffset now, TimeSpan lifetime) =>
        AnyBypassCookie(cookieHeaders, (secretHash, now, lifetime),
            static (state, value) => IsValidCookie(value, state.secretHash, state.now, state.lifetime));

    /// <summary>
    /// A cookie is valid until it expires, and never expires later than <paramref name="lifetime"/>
    /// from now: that is the longest the proxy issues, so whoever signs one for longer (with the hash
    /// from the sentinel) does not get a pass for longer than the operator allowed.
    /// </summary>
    public static bool IsValidCookie(ReadOnlySpan<char> value, byte[] secretHash, DateTimeOffset now, TimeSpan lifetime)
    {
        if (!value.StartsWith(Version + ".", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = value[(Version.Length + 1)..];
        var dot = rest.IndexOf('.');
        if (dot is < 1 or > 19
            || !long.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
            || expiry <= now.ToUnixTimeSeconds()
            || expiry > (now + lifetime).ToUnixTimeSeconds())
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(Mac(secretHash, rest[..dot].ToString()).AsSpan()),
            MemoryMarshal.AsBytes(rest[(dot + 1)..]));
    }

    private static string Mac(byte[] secretHash, string expiry) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(secretHash, Encoding.ASCII.GetBytes(MacLabel + expiry)));

    /// <summary>Removes the secret header and the bypass cookie: the backend never sees either.</summary>
    public static void StripFrom(HttpRequest request)
    {
        var headers = request.Headers;
        headers.Remove(HeaderName);
        var cookies = headers.Cookie;
        if (!CarriesBypassCookie(cookies))
        {
            return;
        }

        // The other cookies go on as one header, "; "-separated, however many headers they came in:
        // repeated lines joined with "," (as HTTP/1.1 joins repeated headers) are not cookies to a backend.
        var kept = new StringBuilder();
        foreach (var header in cookies)
        {
            var text = header.AsSpan();
            foreach (var range in text.Split(';'))
            {
                var pair = text[range].Trim();
                if (!pair.IsEmpty && !IsBypassPair(pair, out _))
                {
                    kept.Append(kept.Length == 0 ? "" : "; ").Append(pair);
                }
            }
        }

        if (kept.Length == 0)
        {
            headers.Remove(HeaderNames.Cookie);
        }
        else
        {
            headers.Cookie = kept.ToString();
        }
    }

    private static bool CarriesBypassCookie(StringValues cookieHeaders) =>
        AnyBypassCookie(cookieHeaders, 0, static (_, _) => true);

    private delegate bool CookieValueTest<TState>(TState state, ReadOnlySpan<char> value);

    /// <summary>
    /// Whether a bypass cookie in any of the headers passes the test: the one walk over the cookies
    /// that both accepting and removing use, so they always agree on what a bypass cookie is.
    /// </summary>
    private static bool AnyBypassCookie<TState>(StringValues cookieHeaders, TState state, CookieValueTest<TState> test)
    {
        foreach (var header in cookieHeaders)
        {
            var text = header.AsSpan();
            if (!text.Contains(CookiePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var range in text.Split(';'))
            {
                if (IsBypassPair(text[range], out var value) && test(state, value))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Cookie names are case-sensitive (RFC 6265): only the exact name is ours.</summary>
    private static bool IsBypassPair(ReadOnlySpan<char> pair, out ReadOnlySpan<char> value)
    {
        pair = pair.Trim();
        if (!pair.StartsWith(CookiePrefix, StringComparison.Ordinal))
        {
            value = default;
            return false;
        }

        value = pair[CookiePrefix.Length..];
        return true;
    }
}
