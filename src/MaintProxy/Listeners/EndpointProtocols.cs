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
    /// A socket holds TCP only: HTTP/3 is left out.
    /// </summary>
    public static HttpProtocols OfInheritedSocket(IConfigurationSection kestrel, string? socketName)
    {
        var endpoint = socketName is null || socketName.Contains(ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)
            ? null
            : kestrel.GetSection("Endpoints").GetSection(socketName)[Key];
        var value = endpoint ?? kestrel.GetSection("EndpointDefaults")[Key];
        return value is not null && Enum.TryParse<HttpProtocols>(value, ignoreCase: true, out var protocols)
            ? protocols & HttpProtocols.Http1AndHttp2
            : HttpProtocols.Http1AndHttp2;
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
