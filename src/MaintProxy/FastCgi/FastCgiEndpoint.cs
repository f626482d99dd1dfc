using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace MaintProxy.FastCgi;

/// <summary>
/// Where a FastCGI server listens: <c>fcgi://host:port</c> (TCP) or <c>fcgi+unix:///path/to/socket</c>
/// (a Unix domain socket; the request path follows the socket path in the request URI).
/// </summary>
internal sealed record FastCgiEndpoint(EndPoint EndPoint, string Address)
{
    public const string TcpScheme = "fcgi";
    public const string UnixScheme = "fcgi+unix";

    public bool IsUnixSocket => EndPoint is UnixDomainSocketEndPoint;

    public static bool IsFastCgiScheme(string scheme) =>
        string.Equals(scheme, TcpScheme, StringComparison.OrdinalIgnoreCase)
        || string.Equals(scheme, UnixScheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks a destination address from configuration.</summary>
    public static bool TryParseAddress(string? address, [NotNullWhen(true)] out FastCgiEndpoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || !IsFastCgiScheme(uri.Scheme))
        {
            error = $"'{address}' is not a FastCGI address (fcgi://host:port or fcgi+unix:///path/to/socket)";
            return false;
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            error = $"'{address}' must not have a query, fragment or user info";
            return false;
        }

        if (string.Equals(uri.Scheme, UnixScheme, StringComparison.OrdinalIgnoreCase))
        {
            var path = Uri.UnescapeDataString(uri.AbsolutePath).TrimEnd('/');
            if (uri.Host.Length > 0 || path.Length == 0)
            {
                error = $"'{address}' needs an absolute socket path after three slashes, e.g. fcgi+unix:///run/php/php8.2-fpm.sock";
                return false;
            }

            endpoint = new FastCgiEndpoint(new UnixDomainSocketEndPoint(path), $"{UnixScheme}://{path}");
            error = null;
            return true;
        }

        if (uri.IsDefaultPort || uri.Port <= 0 || uri.Host.Length == 0)
        {
            error = $"'{address}' needs a host and a port, e.g. fcgi://127.0.0.1:9000";
            return false;
        }

        if (uri.AbsolutePath is not ("" or "/"))
        {
            error = $"'{address}' must not have a path: the request path is appended to it";
            return false;
        }

        endpoint = FromTcp(uri);
        error = null;
        return true;
    }

    /// <summary>
    /// Splits an outgoing request URI into the endpoint and the (still escaped) request path.
    /// <paramref name="destinationPrefix"/>, when known, says where a Unix socket path ends;
    /// otherwise <paramref name="findSocket"/> finds the longest prefix of the path that is a socket.
    /// </summary>
    public static bool TrySplit(Uri requestUri, string? destinationPrefix, Func<string, string?> findSocket,
        [NotNullWhen(true)] out FastCgiEndpoint? endpoint, out string escapedPath)
    {
        endpoint = null;
        escapedPath = requestUri.AbsolutePath;
        if (string.Equals(requestUri.Scheme, TcpScheme, StringComparison.OrdinalIgnoreCase))
        {
            if (requestUri.IsDefaultPort || requestUri.Host.Length == 0)
            {
                return false;
            }

            endpoint = FromTcp(requestUri);
            return true;
        }

        if (!string.Equals(requestUri.Scheme, UnixScheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var fullPath = requestUri.AbsolutePath;
        string? socketPath = null;
        if (destinationPrefix is not null && Uri.TryCreate(destinationPrefix, UriKind.Absolute, out var prefix))
        {
            var prefixPath = prefix.AbsolutePath.TrimEnd('/');
            if (prefixPath.Length > 0 && fullPath.StartsWith(prefixPath, StringComparison.Ordinal)
                && (fullPath.Length == prefixPath.Length || fullPath[prefixPath.Length] == '/'))
            {
                socketPath = prefixPath;
            }
        }

        socketPath ??= findSocket(fullPath);
        if (socketPath is null)
        {
            return false;
        }

        escapedPath = fullPath.Length == socketPath.Length ? "/" : fullPath[socketPath.Length..];
        var unescaped = Uri.UnescapeDataString(socketPath);
        endpoint = new FastCgiEndpoint(new UnixDomainSocketEndPoint(unescaped), $"{UnixScheme}://{unescaped}");
        return true;
    }

    private static FastCgiEndpoint FromTcp(Uri uri)
    {
        var host = uri.Host.Trim('[', ']');
        EndPoint endPoint = IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, uri.Port) : new DnsEndPoint(host, uri.Port);
        return new FastCgiEndpoint(endPoint, $"{TcpScheme}://{uri.Authority}");
    }
}
