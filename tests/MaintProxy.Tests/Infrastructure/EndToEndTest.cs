namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// The common arrangement of an end-to-end test: a temp directory of its own (the proxy's working
/// directory) and a fresh recording backend, both gone when the test ends.
/// </summary>
public abstract class EndToEndTest : IAsyncLifetime
{
    private protected TempDirectory Dir { get; } = new();

    private protected TestBackend Backend { get; private set; } = null!;

    /// <summary>How the backend answers; null: 200 "backend ok" (see <see cref="TestBackend"/>).</summary>
    private protected virtual Func<HttpContext, Task>? BackendHandler => null;

    public async Task InitializeAsync() => Backend = await TestBackend.StartAsync(BackendHandler);

    public async Task DisposeAsync()
    {
        await Backend.DisposeAsync();
        Dir.Dispose();
    }

    private protected Task<ProxyProcess> StartProxyAsync(Dictionary<string, string>? settings = null) =>
        ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, settings);
}
