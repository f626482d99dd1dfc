using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace MaintProxy.Proxy;

/// <summary>
/// Header values pass through as the bytes they arrived as, as nginx passes them: a backend's
/// <c>Content-Disposition: attachment; filename="résumé.pdf"</c> in UTF-8 reaches the client instead of
/// becoming a 502, and a client's UTF-8 header reaches the backend unchanged. Kestrel reads and writes
/// header values as Latin-1, one char per byte (its default for responses, ASCII, refuses the others);
/// <see cref="HeaderBytesHttpClientFactory"/> does the same on the backend side. Control characters
/// are still refused both ways.
/// </summary>
internal sealed class HeaderBytesKestrelSetup : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        options.RequestHeaderEncodingSelector = static _ => Encoding.Latin1;
        options.ResponseHeaderEncodingSelector = static _ => Encoding.Latin1;
    }
}
