using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Features;

namespace MaintProxy.FastCgi;

/// <summary>
/// Builds the CGI parameters of a request with the meaning nginx's <c>fastcgi_params</c> gives them,
/// so that applications written behind nginx run unchanged.
/// </summary>
internal static class CgiParamsBuilder
{
    private const string ServerSoftware = "MaintProxy";

    /// <summary>
    /// False when the path names no script to run or could leave the document root; the request is
    /// then refused with <paramref name="refusal"/>.
    /// </summary>
    public static bool TryBuild(FastCgiClusterSettings settings, HttpRequestMessage request, string escapedPath,
        string contentLength, List<KeyValuePair<string, string>> parameters, out HttpStatusCode refusal)
    {
        var path = Uri.UnescapeDataString(escapedPath);
        var probe = request.Options.TryGetValue(FastCgiRequestOptions.HealthProbe, out var isProbe) && isProbe;
        if (!CgiScript.TryResolve(path, settings, probe, out var script, out refusal))
        {
            return false;
        }

        request.Options.TryGetValue(FastCgiRequestOptions.HttpContext, out var context);
        var uri = request.RequestUri!;
        var query = RawQuery(uri);

        parameters.Add(new("GATEWAY_INTERFACE", "CGI/1.1"));
        parameters.Add(new("SERVER_SOFTWARE", ServerSoftware));
        parameters.Add(new("QUERY_STRING", query));
        parameters.Add(new("REQUEST_METHOD", request.Method.Method));
        parameters.Add(new("CONTENT_TYPE", request.Content?.Headers.NonValidated.TryGetValues("Content-Type", out var contentType) == true ? contentType.ToString() : ""));
        parameters.Add(new("CONTENT_LENGTH", contentLength));
        parameters.Add(new("SCRIPT_NAME", script.ScriptName));
        parameters.Add(new("SCRIPT_FILENAME", settings.DocumentRoot + script.ScriptName));
        parameters.Add(new("PATH_INFO", script.PathInfo));
        if (script.PathInfo.Length > 0)
        {
            parameters.Add(new("PATH_TRANSLATED", settings.DocumentRoot + script.PathInfo));
        }

        parameters.Add(new("REQUEST_URI", RequestUri(context, escapedPath, query)));
        parameters.Add(new("DOCUMENT_URI", script.ScriptName + script.PathInfo));
        parameters.Add(new("DOCUMENT_ROOT", settings.DocumentRoot));
        parameters.Add(new("SERVER_PROTOCOL", ServerProtocol(context)));
        var https = context?.Request.IsHttps == true;
        parameters.Add(new("REQUEST_SCHEME", context?.Request.Scheme ?? "http"));
        if (https)
        {
            parameters.Add(new("HTTPS", "on"));
        }

        var host = HostHeader(request, context);
        AddConnection(parameters, context, host);
        parameters.Add(new("REDIRECT_STATUS", "200"));
        parameters.Add(new("HTTP_HOST", host));
        AddHeaders(parameters, request);

        foreach (var extra in settings.ExtraParams)
        {
            parameters.RemoveAll(p => string.Equals(p.Key, extra.Key, StringComparison.Ordinal));
            parameters.Add(extra);
        }

        return true;
    }

    /// <summary><c>HTTP_*</c> from the outgoing headers: what the route's transforms left, minus the dangerous ones.</summary>
    private static void AddHeaders(List<KeyValuePair<string, string>> parameters, HttpRequestMessage request)
    {
        AddHeaders(parameters, request.Headers.NonValidated);
        if (request.Content is { } content)
        {
            AddHeaders(parameters, content.Headers.NonValidated);
        }
    }

    private static void AddHeaders(List<KeyValuePair<string, string>> parameters, HttpHeadersNonValidated headers)
    {
        foreach (var (name, values) in headers)
        {
            // httpoxy: a Proxy header would become HTTP_PROXY, which many HTTP clients take as their proxy.
            // Underscores: HTTP_X_A would not tell X-A from X_A, so, like nginx, such headers are dropped.
            if (name.Contains('_', StringComparison.Ordinal)
                || string.Equals(name, "Proxy", StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var separator = string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase) ? "; " : ", ";
            var value = values.Count == 1 ? values.ToString() : string.Join(separator, values);
            parameters.Add(new(ParameterName(name), value));
        }
    }

    private static string ParameterName(string headerName) =>
        string.Create(5 + headerName.Length, headerName, static (span, name) =>
        {
            "HTTP_".CopyTo(span);
            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                span[5 + i] = c == '-' ? '_' : char.ToUpperInvariant(c);
            }
        });

    private static string HostHeader(HttpRequestMessage request, HttpContext? context)
    {
        if (request.Headers.NonValidated.TryGetValues("Host", out var host) && host.Count > 0)
        {
            return host.ToString();
        }

        if (context is not null && context.Request.Host.HasValue)
        {
            return context.Request.Host.Value;
        }

        return request.RequestUri!.IsAbsoluteUri && request.RequestUri.Host.Length > 0 ? request.RequestUri.Authority : "localhost";
    }

    private static void AddConnection(List<KeyValuePair<string, string>> parameters, HttpContext? context, string host)
    {
        var serverName = host;
        var colon = host.LastIndexOf(':');
        if (colon > 0 && colon > host.LastIndexOf(']'))
        {
            serverName = host[..colon];
        }

        parameters.Add(new("SERVER_NAME", serverName));
        if (context is null)
        {
            return;
        }

        var connection = context.Connection;
        if (connection.RemoteIpAddress is { } remote)
        {
            parameters.Add(new("REMOTE_ADDR", Format(remote)));
            parameters.Add(new("REMOTE_PORT", connection.RemotePort.ToString(CultureInfo.InvariantCulture)));
        }

        if (connection.LocalIpAddress is { } local)
        {
            parameters.Add(new("SERVER_ADDR", Format(local)));
            parameters.Add(new("SERVER_PORT", connection.LocalPort.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private static string Format(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    private static string ServerProtocol(HttpContext? context) =>
        context?.Request.Protocol is { Length: > 0 } protocol ? protocol : "HTTP/1.1";

    /// <summary>
    /// The query as the outgoing request was built, like nginx's <c>$args</c>: the client's bytes, or
    /// what the route's query transforms made of them. Not <see cref="Uri.Query"/>, which is
    /// canonicalized (<c>%41</c> decoded, a stray <c>%</c> and <c>"</c>, <c>&lt;</c>, <c>&gt;</c> escaped).
    /// </summary>
    private static string RawQuery(Uri uri)
    {
        var original = uri.OriginalString;
        var mark = original.IndexOf('?', StringComparison.Ordinal);
        return mark < 0 ? "" : original[(mark + 1)..];
    }

    /// <summary>The client's own request target, like nginx's <c>$request_uri</c>.</summary>
    private static string RequestUri(HttpContext? context, string escapedPath, string query)
    {
        if (context is not null)
        {
            var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
            if (raw is { Length: > 0 } && raw[0] == '/')
            {
                return raw;
            }

            var request = context.Request;
            return request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
        }

        return query.Length > 0 ? escapedPath + "?" + query : escapedPath;
    }
}
