using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>A test that starts its own FastCGI server and proxy: a temp directory for them and a client, both gone when it ends.</summary>
public abstract class FastCgiEndToEndTest : IDisposable
{
    private protected TempDirectory Dir { get; } = new();

    private protected HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose()
    {
        Client.Dispose();
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
