using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace MaintProxy.Listeners;

/// <summary>
/// A listener the proxy keeps to itself (the admin surface, the demo backend): plain HTTP on a
/// loopback address and a fixed port, so that no other machine can reach it.
/// </summary>
internal static class LoopbackEndpoint
{
    public static bool TryParse(string? url, [NotNullWhen(true)] out IPEndPoint? endPoint, [NotNullWhen(false)] out string? error)
    {
        endPoint = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            error = $"'{url}' is not an http:// URL";
            return false;
        }

        var address = uri.IsLoopback && uri.HostNameType == UriHostNameType.Dns
            ? IPAddress.Loopback
            : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed) ? parsed : null;
        if (address is null || !IPAddress.IsLoopback(address))
        {
            error = $"'{url}' is not a loopback address (use 127.0.0.1, [::1] or localhost)";
            return false;
        }

        endPoint = new IPEndPoint(address, uri.Port);
        error = null;
        return true;
    }

    public static IPEndPoint Parse(string url) =>
        TryParse(url, out var endPoint, out var error) ? endPoint : throw new InvalidOperationException(error);

    /// <summary>
    /// True when the request names a loopback host (or none, as HTTP/1.0 may). A browser lured to a
    /// page whose name an attacker re-points at 127.0.0.1 (DNS rebinding) sends that name instead.
    /// </summary>
    public static bool IsAddressedToLoopback(HostString host) =>
        !host.HasValue
        || string.Equals(host.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>True when the connection arrived on this listener (by the socket, never by headers).</summary>
    public static bool IsConnectionTo(HttpContext context, IPEndPoint endPoint)
    {
        var connection = context.Connection;
        return connection.LocalPort == endPoint.Port
            && connection.LocalIpAddress is { } local
            && IPAddress.IsLoopback(local);
    }
}
