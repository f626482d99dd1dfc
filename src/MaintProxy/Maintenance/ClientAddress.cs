using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace MaintProxy.Maintenance;

/// <summary>
/// The client's address: the socket's peer, unless that peer is a trusted proxy; only then is
/// <c>X-Forwarded-For</c> read, right to left, skipping the trusted hops. A header sent by anyone
/// else is ignored, so it cannot be spoofed to bypass maintenance.
/// </summary>
internal static class ClientAddress
{
    public static IPAddress? Resolve(HttpContext context, IReadOnlyList<IPNetwork> trustedProxies)
    {
        var peer = Normalize(context.Connection.RemoteIpAddress);
        if (peer is null || trustedProxies.Count == 0 || !IsIn(peer, trustedProxies))
        {
            return peer;
        }

        var forwardedFor = context.Request.Headers["X-Forwarded-For"];
        var client = peer;
        for (var i = forwardedFor.Count - 1; i >= 0; i--)
        {
            var hops = forwardedFor[i]!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            for (var j = hops.Length - 1; j >= 0; j--)
            {
                if (!TryParseHop(hops[j], out var hop))
                {
                    // What the trusted proxy names is no address ("unknown"): the client is unknown,
                    // not the proxy itself, which an allowed network may well contain.
                    return null;
                }

                client = Normalize(hop)!;
                if (!IsIn(client, trustedProxies))
                {
                    return client;
                }
            }
        }

        return client;
    }

    /// <summary>
    /// A hop as proxies write it: an address, or an address and port (<c>203.0.113.9:4711</c>, as
    /// Azure Application Gateway appends it; <c>[2001:db8::9]:4711</c>).
    /// </summary>
    private static bool TryParseHop(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && colon == text.LastIndexOf(':') && IsPort(text.AsSpan(colon + 1)))
        {
            text = text[..colon];
        }

        return IPAddress.TryParse(text, out address);
    }

    private static bool IsPort(ReadOnlySpan<char> text) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    /// <summary>Whether the socket's peer is one of the trusted proxies, whose forwarding headers are believed.</summary>
    public static bool IsPeerTrusted(HttpContext context, IReadOnlyList<IPNetwork> trustedProxies) =>
        trustedProxies.Count > 0 && Normalize(context.Connection.RemoteIpAddress) is { } peer && IsIn(peer, trustedProxies);

    public static bool IsIn(IPAddress address, IReadOnlyList<IPNetwork> networks)
    {
        for (var i = 0; i < networks.Count; i++)
        {
            if (networks[i].Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    public static bool TryParseNetwork(string? text, [NotNullWhen(true)] out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = (slash < 0 ? text.AsSpan() : text.AsSpan(0, slash)).Trim();
        if ((!addressText.Contains(':') && !IsDottedQuad(addressText)) || !IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }

        address = Normalize(address)!;
        var bits = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            return false;
        }

        // Operators write 10.1.2.3/8 as often as 10.0.0.0/8: keep the network, drop the host bits.
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }

    /// <summary>
    /// Four decimal numbers 0 to 255 without leading zeros. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
    /// also takes the forms of inet_aton, where 192.168.001.010 is octal (192.168.1.8), 10.1 is
    /// 10.0.0.1 and 0x0a is hex: not what an operator who writes them means.
    /// </summary>
    private static bool IsDottedQuad(ReadOnlySpan<char> text)
    {
        var parts = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (++parts > 4 || part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0')
                || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 255)
            {
                return false;
            }
        }

        return parts == 4;
    }

    /// <summary>An IPv4 client on a dual-stack socket as the IPv4 address it is (::ffff:203.0.113.9 is 203.0.113.9).</summary>
    public static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
