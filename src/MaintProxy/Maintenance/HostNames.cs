using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace MaintProxy.Maintenance;

/// <summary>
/// Host names in the one form a site window and a request are compared in: ASCII (an international
/// name in its xn-- form), lower-case, without the trailing dot of a fully qualified name (as nginx
/// reads <c>example.org.</c>). Request hosts arrive in ASCII, so they are compared as they are,
/// ignoring case: the request path allocates nothing.
/// </summary>
internal static class HostNames
{
    /// <summary>
    /// A site name as a host name: ASCII, lower-case, no trailing dot; null when it cannot be one (a
    /// Unicode name that IDNA rejects). A YARP cluster id goes through here too; it is also matched as written.
    /// </summary>
    public static string? Canonical(string name)
    {
        if (name.EndsWith('.'))
        {
            name = name[..^1];
        }

        if (Ascii.IsValid(name))
        {
            return name.Length == 0 ? null : name.ToLowerInvariant();
        }

        try
        {
            // Lower-cased first: without ICU (invariant globalization) IdnMapping does no case mapping.
            return new IdnMapping().GetAscii(name.ToLowerInvariant());
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether a site name is a host with a port (<c>shop.example.org:8080</c>, <c>[::1]:8080</c>):
    /// no window could match it, as requests are matched by host alone.
    /// </summary>
    public static bool HasPort(string name)
    {
        var colon = name.StartsWith('[') ? name.IndexOf(']') + 1 : name.IndexOf(':');
        return colon > 0 && colon < name.Length && name[colon] == ':' && !name.AsSpan(colon + 1).ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>
    /// The host of a request's <c>Host</c> header (its authority) without the port and a trailing dot;
    /// an IPv6 literal keeps its brackets. Read from the header itself: <see cref="HttpRequest.Host"/> turns xn--
    /// labels into Unicode. A non-ASCII host (which Kestrel does not let through today) is converted.
    /// </summary>
    public static ReadOnlySpan<char> OfRequest(ReadOnlySpan<char> authority)
    {
        var host = authority;
        var end = host.StartsWith('[') ? host.IndexOf(']') + 1 : host.IndexOf(':');
        if (end > 0)
        {
            host = host[..end];
        }

        if (host.EndsWith('.'))
        {
            host = host[..^1];
        }

        return Ascii.IsValid(host) ? host : Canonical(host.ToString()) ?? host;
    }

    /// <summary>
    /// Whether a site's host is one that a comma-separated list of authorities names (<c>X-Forwarded-Host:
    /// a.example, b.example:8443</c>): backends differ on which entry they take (Express the first, Rails
    /// and Werkzeug the last), so any of them counts.
    /// </summary>
    public static bool AreAmong(string siteHost, StringValues authorities)
    {
        foreach (var value in authorities)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                var entry = value.AsSpan()[range].Trim();
                if (!entry.IsEmpty && OfRequest(entry).Equals(siteHost, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The lowest window index that an entry of a comma-separated list of authorities names
    /// (<c>X-Forwarded-Host</c>; any entry counts, as in <see cref="AreAmong"/>), looked up by host name;
    /// -1 when none does. Each entry is read once.
    /// </summary>
    public static int FirstWindowNamed(StringValues authorities, Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> windowsByHost)
    {
        var first = -1;
        foreach (var value in authorities)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                var entry = value.AsSpan()[range].Trim();
                if (!entry.IsEmpty && windowsByHost.TryGetValue(OfRequest(entry), out var index) && (first < 0 || index < first))
                {
                    if (index == 0)
                    {
                        return 0;
                    }

                    first = index;
                }
            }
        }

        return first;
    }

    /// <summary>
    /// Whether a request's authority has an empty label (<c>shop.example..</c>, <c>shop..example</c>): it
    /// names no host, and no site window could be sure to match it. nginx answers such a request with 400.
    /// </summary>
    public static bool HasEmptyLabel(string authority) => authority.Contains("..", StringComparison.Ordinal);

    /// <summary>
    /// The authority a request names: its <c>Host</c> header as sent (<see cref="HttpRequest.Host"/> would
    /// turn an xn-- host into Unicode, and throw on a malformed one), else the authority of its
    /// absolute-form target.
    /// </summary>
    public static string AuthorityOf(HttpContext context)
    {
        var authority = context.Request.Headers.Host.ToString();
        return authority.Length > 0
            ? authority
            : OfAbsoluteTarget(context.Features.Get<IHttpRequestFeature>()?.RawTarget);
    }

    /// <summary>
    /// The authority of an absolute-form request target (<c>http://shop.example.org/x</c>), or "" for
    /// any other form. Kestrel takes the host from the target only when it checks a <c>Host</c> header
    /// against it: an HTTP/1.0 request may come without one.
    /// </summary>
    public static string OfAbsoluteTarget(string? rawTarget)
    {
        var target = rawTarget.AsSpan();
        if (target.StartsWith('/'))
        {
            return "";
        }

        var authority = AuthorityOfUrl(target);
        return authority[(authority.LastIndexOf('@') + 1)..].ToString(); // user:password@ names no site
    }

    /// <summary>
    /// The authority of a URL (<c>scheme://authority/path?query#fragment</c>) as written, user information and
    /// port included; empty when there is no <c>://</c> after a scheme.
    /// </summary>
    public static ReadOnlySpan<char> AuthorityOfUrl(ReadOnlySpan<char> url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0)
        {
            return [];
        }

        var authority = url[(scheme + 3)..];
        var end = authority.IndexOfAny('/', '?', '#');
        return end < 0 ? authority : authority[..end];
    }
}
