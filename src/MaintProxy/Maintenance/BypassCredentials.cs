using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MaintProxy.Maintenance;

/// <summary>
/// The secret and the cookie it earns. The sentinel holds only the secret's SHA-256; the cookie is
/// <c>v1.{expiry}.{HMAC-SHA256(secret hash, expiry)}</c>, so it expires, cannot be forged without the
/// secret, and stops working when the window gets a new secret. Comparisons take constant time.
/// </summary>
internal static class BypassCredentials
{
    public const string HeaderName = "X-Maintenance-Bypass";
    public const string CookieName = "maintproxy_bypass";
    private const string CookiePrefix = CookieName + "=";
    private const string Version = "v1";

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

    public static bool IsValidCookie(string? value, byte[] secretHash, DateTimeOffset now)
    {
        if (value is null)
        {
            return false;
        }

        var parts = value.Split('.');
        if (parts.Length != 3 || parts[0] != Version
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
            || expiry <= now.ToUnixTimeSeconds())
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Mac(secretHash, parts[1])),
            Encoding.ASCII.GetBytes(parts[2]));
    }

    private static string Mac(byte[] secretHash, string expiry) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(secretHash, Encoding.ASCII.GetBytes("maintproxy-bypass|" + expiry)));

    /// <summary>Removes the secret header and the bypass cookie: the backend never sees either.</summary>
    public static void StripFrom(HttpRequest request)
    {
        var headers = request.Headers;
        headers.Remove(HeaderName);
        var cookies = headers.Cookie;
        if (cookies.Count == 0 || !cookies.ToString().Contains(CookiePrefix, StringComparison.Ordinal))
        {
            return;
        }

        var kept = cookies.ToString()
            .Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => !pair.StartsWith(CookiePrefix, StringComparison.Ordinal))
            .ToArray();
        if (kept.Length == 0)
        {
            headers.Remove("Cookie");
        }
        else
        {
            headers.Cookie = string.Join("; ", kept);
        }
    }
}
