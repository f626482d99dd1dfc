using MaintProxy.FastCgi;
using MaintProxy.Proxy;
using MaintProxy.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace MaintProxy.Tests.FastCgi;

public sealed class FastCgiForwarderHttpClientFactoryTests
{
    private static readonly Dictionary<string, string> FastCgi = new() { ["Transport"] = "FastCGI", ["FastCGI.DocumentRoot"] = "/srv/www" };

    private readonly FastCgiForwarderHttpClientFactory _factory = new(
        NullLogger<ForwarderHttpClientFactory>.Instance, NullLogger<BackendCertificateCheck>.Instance, NullLogger<FastCgiHttpMessageHandler>.Instance,
        Options.Create(new FastCgiOptions()), Options.Create(new HttpBackendsOptions()), TimeProvider.System);

    [Fact]
    public void CreateClient_FastCgiCluster_GetsTheFastCgiHandlerBoundedByTheCluster()
    {
        using var client = _factory.CreateClient(Context(FastCgi, maxConnections: 6));

        var invoker = Assert.IsType<FastCgiInvoker>(client);
        Assert.Equal(6, invoker.Handler.MaxConnectionsPerServer);
        Assert.Equal("/srv/www", invoker.Handler.Settings.DocumentRoot);
    }

    [Fact]
    public void CreateClient_HttpCluster_GetsYarpsClient()
    {
        using var client = _factory.CreateClient(Context(null, maxConnections: null));

        Assert.IsNotType<FastCgiInvoker>(client);
    }

    [Fact]
    public void CreateClient_NothingChanged_ReusesTheOldClient()
    {
        using var first = _factory.CreateClient(Context(FastCgi, 4));

        var second = _factory.CreateClient(Context(new Dictionary<string, string>(FastCgi), 4, first, FastCgi, 4));

        Assert.Same(first, second);
        Assert.False(((FastCgiInvoker)first).Handler.IsRetired);
    }

    [Fact]
    public void CreateClient_MetadataChanged_NewHandlerAndTheOldOneRetired()
    {
        using var first = _factory.CreateClient(Context(FastCgi, 4));
        var changed = new Dictionary<string, string>(FastCgi) { ["FastCGI.DocumentRoot"] = "/srv/other" };

        using var second = _factory.CreateClient(Context(changed, 4, first, FastCgi, 4));

        Assert.NotSame(first, second);
        Assert.True(((FastCgiInvoker)first).Handler.IsRetired);
        Assert.Equal("/srv/other", ((FastCgiInvoker)second).Handler.Settings.DocumentRoot);
    }

    [Fact]
    public void CreateClient_FastCgiTurnedOff_YarpsClientAndTheOldHandlerRetired()
    {
        using var first = _factory.CreateClient(Context(FastCgi, 4));

        using var second = _factory.CreateClient(Context(null, 4, first, FastCgi, 4));

        Assert.IsNotType<FastCgiInvoker>(second);
        Assert.True(((FastCgiInvoker)first).Handler.IsRetired);
    }

    [Fact]
    public void CreateClient_FrontControllerAndADocumentRootTheProxyCannotSee_SaysFolderIndexFilesAreNotUsed()
    {
        var logs = new LogCapture();
        var factory = new FastCgiForwarderHttpClientFactory(NullLogger<ForwarderHttpClientFactory>.Instance, NullLogger<BackendCertificateCheck>.Instance,
            new Logger<FastCgiHttpMessageHandler>(new LoggerFactory([logs])), Options.Create(new FastCgiOptions()), Options.Create(new HttpBackendsOptions()), TimeProvider.System);
        using var visible = new TempDirectory();
        var elsewhere = new Dictionary<string, string>(FastCgi) { ["FastCGI.DocumentRoot"] = "/no/such/root", ["FastCGI.FrontController"] = "/index.php" };
        var here = new Dictionary<string, string>(FastCgi) { ["FastCGI.DocumentRoot"] = visible.Path, ["FastCGI.FrontController"] = "/index.php" };

        using var first = factory.CreateClient(Context(elsewhere, 4));
        using var second = factory.CreateClient(Context(here, 4));

        var notVisible = logs.Entries.Where(e => e.EventId.Id == 4008).ToList();
        var entry = Assert.Single(notVisible);
        Assert.Contains("/no/such/root", entry.Message, StringComparison.Ordinal);
    }

    private static ForwarderHttpClientContext Context(Dictionary<string, string>? metadata, int? maxConnections,
        HttpMessageInvoker? old = null, Dictionary<string, string>? oldMetadata = null, int? oldMax = null) => new()
    {
        ClusterId = "php",
        NewConfig = new HttpClientConfig { MaxConnectionsPerServer = maxConnections },
        NewMetadata = metadata,
        OldClient = old,
        OldConfig = old is null ? HttpClientConfig.Empty : new HttpClientConfig { MaxConnectionsPerServer = oldMax },
        OldMetadata = oldMetadata,
    };
}
