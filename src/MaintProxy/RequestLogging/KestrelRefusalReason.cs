namespace MaintProxy.RequestLogging;

/// <summary>
/// Why Kestrel refused a request, in a few words of MaintProxy's own: Kestrel's message quotes the
/// client's bytes (the request line, a header), and those stay out of the log.
/// </summary>
internal static class KestrelRefusalReason
{
    // Kestrel's messages (its CoreStrings, in English) by how they start; anything else is told by its status.
    private static readonly (string Start, string Reason)[] ByMessage =
    [
        ("Invalid request line", "malformed request line"),
        ("Invalid request target", "malformed request target"),
        ("Unrecognized HTTP version", "unknown HTTP version"),
        ("Invalid request header", "malformed header"),
        ("Invalid characters in header name", "malformed header"),
        ("Malformed request", "malformed header"),
        ("Request is missing Host header", "no Host header"),
        ("Multiple Host headers", "several Host headers"),
        ("Invalid Host header", "bad Host header"),
        ("Invalid content length", "bad Content-Length"),
        ("Multiple Content-Length", "several Content-Length headers"),
        ("The message body length cannot be determined", "unknown body length"),
        ("Request headers too long", "headers too large"),
        ("Request contains too many headers", "too many headers"),
    ];

    // Refusals of a request's body, not its head: they come while or after the request is answered.
    private static readonly string[] BodyRefusalStarts =
    [
        "Request body too large",
        "Unexpected end of request content",
        "Bad chunk",
        "Chunked request",
        "Reading the request body timed out",
    ];

    public static bool IsOfBody(BadHttpRequestException refusal)
    {
        if (refusal.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return true;
        }

        foreach (var start in BodyRefusalStarts)
        {
            if (refusal.Message.StartsWith(start, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public static string Of(BadHttpRequestException refusal)
    {
        foreach (var (start, reason) in ByMessage)
        {
            if (refusal.Message.StartsWith(start, StringComparison.Ordinal))
            {
                return reason;
            }
        }

        return refusal.StatusCode switch
        {
            StatusCodes.Status408RequestTimeout => "request head too slow",
            StatusCodes.Status411LengthRequired => "no Content-Length",
            StatusCodes.Status413PayloadTooLarge => "body too large",
            StatusCodes.Status414UriTooLong => "request line too long",
            StatusCodes.Status431RequestHeaderFieldsTooLarge => "headers too large",
            StatusCodes.Status405MethodNotAllowed => "method not allowed",
            StatusCodes.Status505HttpVersionNotsupported => "HTTP version not supported",
            _ => "malformed request",
        };
    }
}
