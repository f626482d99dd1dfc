namespace MaintProxy.Tests.Infrastructure;

/// <summary>What a <see cref="TestBackend"/> saw of one request.</summary>
internal sealed record RecordedRequest(
    string Method,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Headers,
    long BodyLength,
    long ArrivedAt)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
