namespace MaintProxy.Maintenance;

/// <summary>
/// The <c>Content-Type</c> of a gRPC maintenance answer: of the call's own kind. A gRPC-Web client
/// checks it before it looks at <c>grpc-status</c>: Connect-ES's gRPC-Web transport failed a call
/// answered <c>application/grpc</c> as INTERNAL ("unexpected response content type"), not UNAVAILABLE.
/// </summary>
internal static class GrpcAnswerContentType
{
    public const string Grpc = "application/grpc";

    private const string GrpcWeb = "application/grpc-web";

    private const string GrpcWebText = "application/grpc-web-text";

    private static readonly string[] GrpcWebTypes =
    [
        GrpcWeb, "application/grpc-web+proto", "application/grpc-web+json", GrpcWebText, "application/grpc-web-text+proto",
    ];

    /// <summary>For a request's <c>Content-Type</c> (one starting <c>application/grpc</c>): the same media type for gRPC-Web, else <c>application/grpc</c>.</summary>
    public static string For(string requestContentType)
    {
        var mediaType = requestContentType.AsSpan();
        var parameters = mediaType.IndexOf(';');
        mediaType = (parameters < 0 ? mediaType : mediaType[..parameters]).Trim();
        if (!mediaType.StartsWith(GrpcWeb, StringComparison.OrdinalIgnoreCase))
        {
            return Grpc;
        }

        foreach (var known in GrpcWebTypes)
        {
            if (mediaType.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return mediaType.StartsWith(GrpcWebText, StringComparison.OrdinalIgnoreCase) ? GrpcWebText : GrpcWeb;
    }
}
