namespace MaintProxy.Tests.Infrastructure;

/// <summary>What a <see cref="TestBackend"/> saw of one request; <see cref="RawTarget"/> is its request target as sent.</summary>
internal sealed record RecordedRequest(
    string Method,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Headers,
    long BodyLength,
    long ArrivedAt,
    string RawTarget = "")
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
