using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Primitives;

namespace MaintProxy.Maintenance;

/// <summary>
/// A window's maintenance answer, rendered once into bytes for each format. The page's
/// <c>{{reason}}</c>, <c>{{until}}</c> and <c>{{site}}</c> placeholders are HTML-encoded.
/// </summary>
internal sealed class RenderedWindow
{
    private static readonly StringValues HtmlType = "text/html; charset=utf-8";
    private static readonly StringValues JsonType = "application/json; charset=utf-8";
    private static readonly StringValues TextType = "text/plain; charset=utf-8";

    private readonly byte[] _html;
    private readonly byte[] _json;
    private readonly byte[] _text;

    public RenderedWindow(MaintenanceWindow window, byte[] template, int statusCode, int defaultRetryAfterSeconds)
    {
        Template = template;
        var retryAfterSeconds = window.RetryAfterSeconds ?? defaultRetryAfterSeconds;
        RetryAfter = window.Until is { } until
            ? until.UtcDateTime.ToString("R", CultureInfo.InvariantCulture)
            : retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var eta = window.Until is { } u ? "Expected back by " + u.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC." : "";

        _html = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(template)
            .Replace("{{reason}}", HtmlEncoder.Default.Encode(window.Reason ?? ""), StringComparison.Ordinal)
            .Replace("{{until}}", HtmlEncoder.Default.Encode(eta), StringComparison.Ordinal)
            .Replace("{{site}}", HtmlEncoder.Default.Encode(window.Site ?? ""), StringComparison.Ordinal));
        _json = JsonSerializer.SerializeToUtf8Bytes(new
        {
            status = statusCode,
            maintenance = true,
            reason = window.Reason,
            retryAfter = window.Until is null ? retryAfterSeconds : (int?)null,
            until = window.Until,
            site = window.Site,
            readOnly = window.ReadOnly,
        });
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{statusCode} {ReasonPhrase(statusCode)}: down for planned maintenance.\n");
        if (window.Reason is { Length: > 0 } reason)
        {
            text.Append(CultureInfo.InvariantCulture, $"Reason: {reason}\n");
        }

        text.Append(eta.Length > 0 ? eta + "\n" : $"Retry after {retryAfterSeconds} seconds.\n");
        _text = Encoding.UTF8.GetBytes(text.ToString());
        GrpcMessage = PercentEncoded(text.ToString().TrimEnd('\n').Replace('\n', ' '));
    }

    /// <summary>The text answer as gRPC's <c>grpc-message</c>: one line, percent-encoded as gRPC requires.</summary>
    public StringValues GrpcMessage { get; }

    /// <summary>The page template this was rendered from; a new template means a new rendering.</summary>
    public byte[] Template { get; }

    public StringValues RetryAfter { get; }

    public (byte[] Body, StringValues ContentType) For(ResponseFormat format) => format switch
    {
        ResponseFormat.Html => (_html, HtmlType),
        ResponseFormat.Json => (_json, JsonType),
        _ => (_text, TextType),
    };

    private static string PercentEncoded(string message)
    {
        var encoded = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append(CultureInfo.InvariantCulture, $"%{b:X2}");
            }
        }

        return encoded.ToString();
    }

    private static string ReasonPhrase(int statusCode) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(statusCode) is { Length: > 0 } phrase ? phrase : "Error";
}
