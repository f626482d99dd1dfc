using MaintProxy.FastCgi;
using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Tests.FastCgi;

public sealed class FastCgiConfigFilterTests
{
    [Fact]
    public async Task ConfigureClusterAsync_CompleteFastCgiCluster_Passes()
    {
        var cluster = Cluster(Metadata(), "fcgi://127.0.0.1:9000", maxConnections: 4);

        Assert.Same(cluster, await new FastCgiConfigFilter().ConfigureClusterAsync(cluster, default));
    }

    [Fact]
    public async Task ConfigureClusterAsync_UnixSocketDestination_Passes()
    {
        var cluster = Cluster(Metadata(), "fcgi+unix:///run/php/php8.2-fpm.sock", maxConnections: 4);

        Assert.Same(cluster, await new FastCgiConfigFilter().ConfigureClusterAsync(cluster, default));
    }

    [Theory]
    [InlineData("Transport", "Gopher", "unknown transport 'Gopher'")]
    [InlineData("FastCGI.DocumentRoot", null, "'FastCGI.DocumentRoot' is required")]
    [InlineData("FastCGI.DocumentRoot", "relative/www", "must be an absolute path")]
    [InlineData("FastCGI.SplitPathInfo", "^(.+\\.php(/.*)?$", "not a valid regular expression")]
    [InlineData("FastCGI.SplitPathInfo", "^.+\\.php$", "needs two capture groups")]
    [InlineData("FastCGI.KeepConn", "sometimes", "must be true or false")]
    [InlineData("FastCGI.FrontController", "index.php", "starting with '/'")]
    [InlineData("FastCGI.DocRoot", "/srv", "is not a FastCGI setting")]
    public async Task ConfigureClusterAsync_BadMetadata_FailsNamingTheClusterAndTheProblem(string key, string? value, string expected)
    {
        var metadata = Metadata();
        if (value is null)
        {
            metadata.Remove(key);
        }
        else
        {
            metadata[key] = value;
        }

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new FastCgiConfigFilter().ConfigureClusterAsync(Cluster(metadata, "fcgi://127.0.0.1:9000", 4), default).AsTask());

        Assert.Contains("Cluster 'php'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000", "not a FastCGI address")]
    [InlineData("fcgi://127.0.0.1", "needs a host and a port")]
    [InlineData("fcgi://127.0.0.1:9000/app", "must not have a path")]
    [InlineData("fcgi+unix://host/run/php.sock", "absolute socket path")]
    public async Task ConfigureClusterAsync_BadDestination_Fails(string address, string expected)
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new FastCgiConfigFilter().ConfigureClusterAsync(Cluster(Metadata(), address, 4), default).AsTask());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigureClusterAsync_KeepConnWithoutConnectionBound_Fails()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new FastCgiConfigFilter().ConfigureClusterAsync(Cluster(Metadata(), "fcgi://127.0.0.1:9000", null), default).AsTask());

        Assert.Contains("MaxConnectionsPerServer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigureClusterAsync_FastCgiAddressOnAnHttpCluster_Fails()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new FastCgiConfigFilter().ConfigureClusterAsync(Cluster(null, "fcgi://127.0.0.1:9000", null), default).AsTask());

        Assert.Contains("\"Transport\": \"FastCGI\"", ex.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Metadata() => new()
    {
        ["Transport"] = "FastCGI",
        ["FastCGI.DocumentRoot"] = "/srv/www",
    };

    private static ClusterConfig Cluster(Dictionary<string, string>? metadata, string address, int? maxConnections) => new()
    {
        ClusterId = "php",
        Metadata = metadata,
        HttpClient = new HttpClientConfig { MaxConnectionsPerServer = maxConnections },
        Destinations = new Dictionary<string, DestinationConfig> { ["d1"] = new() { Address = address } },
    };
}
