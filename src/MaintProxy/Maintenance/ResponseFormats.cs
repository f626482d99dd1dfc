using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace MaintProxy.Maintenance;

/// <summary>Content negotiation: JSON for clients that prefer it, HTML for browsers, text for the rest.</summary>
internal static class ResponseFormats
{
    public static ResponseFormat Negotiate(StringValues accept)
    {
        if (StringValues.IsNullOrEmpty(accept) || !MediaTypeHeaderValue.TryParseList(accept, out var mediaTypes))
        {
            return ResponseFormat.Text;
        }

        double html = 0, json = 0;
        foreach (var mediaType in mediaTypes)
        {
            var quality = mediaType.Quality ?? 1;
            var type = mediaType.MediaType;
            if (type.Equals("text/html", StringComparison.OrdinalIgnoreCase) || type.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase))
            {
                html = Math.Max(html, quality);
            }
            else if (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            {
                json = Math.Max(json, quality);
            }
        }

        return json > html ? ResponseFormat.Json : html > 0 ? ResponseFormat.Html : ResponseFormat.Text;
    }
}
