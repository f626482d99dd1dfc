namespace MaintProxy.Proxy;

/// <summary>The path a request came with, kept while it is routed by its lenient reading.</summary>
internal sealed class SentPathFeature(PathString path)
{
    public PathString Path { get; } = path;
}
