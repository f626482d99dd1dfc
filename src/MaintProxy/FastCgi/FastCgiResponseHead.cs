namespace MaintProxy.FastCgi;

/// <summary>The status and headers a CGI response starts with.</summary>
internal sealed record FastCgiResponseHead(int StatusCode, string? ReasonPhrase, IReadOnlyList<KeyValuePair<string, string>> Headers);
