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

        if (uri.PathAndQuery != "/" || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            error = $"'{url}' is not http://HOST:PORT: a listener has no path, query or user (up.sh and down.sh refuse such a URL)";
            return false;
        }

        if (EmptyPort.IsIn(url))
        {
            error = $"'{url}' {EmptyPort.Problem}";
            return false;
        }

        if (LoopbackAddressOf(uri.Host) is not { } address)
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
    public static bool IsAddressedToLoopback(HostString host) => !host.HasValue || LoopbackAddressOf(host.Host) is not null;

    /// <summary>The address a host name stands for when it is a loopback one (localhost or a loopback IP literal); else null.</summary>
    private static IPAddress? LoopbackAddressOf(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address) ? address
        : null;

    /// <summary>
    /// True when the connection arrived on this listener (by the socket, never by headers): its address
    /// and port, so a public listener on another loopback address with the same port is not taken for it.
    /// </summary>
    public static bool IsConnectionTo(HttpContext context, IPEndPoint endPoint)
    {
        var connection = context.Connection;
        return connection.LocalPort == endPoint.Port
            && connection.LocalIpAddress is { } local
            && (local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local).Equals(endPoint.Address);
    }
}
