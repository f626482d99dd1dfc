using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MaintProxy.Listeners;

/// <summary>
/// Checks <c>Protocols</c> in <c>Kestrel:EndpointDefaults</c> and each of <c>Kestrel:Endpoints</c>. Kestrel
/// itself takes a value it cannot read for no value at all, so a misspelt <c>"Protocols": "Htp2"</c> (or
/// <c>"h2c"</c>) served HTTP/1.1 and HTTP/2 as if nothing were written, and a client speaking HTTP/2
/// without TLS was sent away.
/// </summary>
internal static class EndpointProtocols
{
    private const string Key = "Protocols";

    /// <summary>
    /// The protocols of an inherited socket: those of the endpoint it is named for (<c>FileDescriptorName=</c>),
    /// else of <c>Kestrel:EndpointDefaults</c>, else Kestrel's default. Kestrel reads <c>Protocols</c> only for
    /// the endpoints it binds itself, so an endpoint of <c>Http2</c> served by its socket spoke HTTP/1.1 alone.
    /// A socket holds TCP only: HTTP/3 is left out, and a setting of HTTP/3 alone stops the start (Kestrel
    /// would otherwise report ready and close every connection on that socket).
    /// </summary>
    public static HttpProtocols OfInheritedSocket(IConfigurationSection kestrel, string? socketName)
    {
        var endpoint = socketName is null || socketName.Contains(ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)
            ? null
            : kestrel.GetSection("Endpoints").GetSection(socketName).GetSection(Key);
        var setting = endpoint?.Value is not null ? endpoint : kestrel.GetSection("EndpointDefaults").GetSection(Key);
        if (setting.Value is null || !Enum.TryParse<HttpProtocols>(setting.Value, ignoreCase: true, out var protocols))
        {
            return HttpProtocols.Http1AndHttp2;
        }

        var served = protocols & HttpProtocols.Http1AndHttp2;
        if (served == HttpProtocols.None)
        {
            var socket = socketName is null ? "an unnamed socket" : $"the socket named {socketName} (FileDescriptorName=)";
            throw new InvalidOperationException(
                $"{setting.Path} '{setting.Value}' leaves nothing to serve on {socket} passed on by systemd: that socket is TCP, and HTTP/3"
                + " runs over UDP; write Http1, Http2 or Http1AndHttp2 there.");
        }

        return served;
    }

    public static void ThrowIfInvalid(IConfigurationSection kestrel)
    {
        var sections = kestrel.GetSection("Endpoints").GetChildren().Prepend(kestrel.GetSection("EndpointDefaults"));
        foreach (var section in sections)
        {
            if (section[Key] is { } value && !Enum.TryParse<HttpProtocols>(value, ignoreCase: true, out _))
            {
                throw new InvalidOperationException(
                    $"{section.Path}:{Key} '{value}' is not a protocol Kestrel serves: write Http1, Http2, Http1AndHttp2 or Http1AndHttp2AndHttp3.");
            }
        }
    }
}
