using MaintProxy.FastCgi;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace MaintProxy.Tests.FastCgi;

public sealed class FastCgiProbingRequestFactoryTests
{
    [Fact]
    public void CreateRequest_HttpCluster_IsYarpsOwnProbeUnmarked()
    {
        var cluster = Cluster(metadata: null, "http://127.0.0.1:5000/base/");
        var destination = new DestinationModel(new DestinationConfig { Address = "http://127.0.0.1:5000/base/", Host = "app.example" });

        using var expected = YarpsFactory().CreateRequest(cluster, destination);
        using var actual = Factory().CreateRequest(cluster, destination);

        Assert.Equal(expected.Method, actual.Method);
        Assert.Equal(expected.RequestUri, actual.RequestUri);
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.VersionPolicy, actual.VersionPolicy);
        Assert.Equal(expected.Headers.ToString(), actual.Headers.ToString());
        Assert.Empty(actual.Options);
    }

    [Fact]
    public void CreateRequest_FastCgiCluster_IsMarkedAsAProbe()
    {
        var metadata = new Dictionary<string, string> { ["Transport"] = "FastCGI", ["FastCGI.DocumentRoot"] = "/srv/www" };
        var cluster = Cluster(metadata, "fcgi://127.0.0.1:9000");

        using var request = Factory().CreateRequest(cluster, new DestinationModel(new DestinationConfig { Address = "fcgi://127.0.0.1:9000" }));

        Assert.Equal(new Uri("fcgi://127.0.0.1:9000/ping"), request.RequestUri);
        Assert.True(request.Options.TryGetValue(FastCgiRequestOptions.HealthProbe, out var probe) && probe);
    }

    [Fact]
    public void AddFastCgiTransport_BeforeAddReverseProxy_SaysSo()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddFastCgiTransport());

        Assert.Contains("AddReverseProxy()", error.Message, StringComparison.Ordinal);
    }

    private static IProbingRequestFactory Factory()
    {
        var services = new ServiceCollection();
        services.AddReverseProxy();
        services.AddFastCgiTransport();
        return services.BuildServiceProvider().GetRequiredService<IProbingRequestFactory>();
    }

    private static IProbingRequestFactory YarpsFactory()
    {
        var services = new ServiceCollection();
        services.AddReverseProxy();
        return services.BuildServiceProvider().GetRequiredService<IProbingRequestFactory>();
    }

    private static ClusterModel Cluster(IReadOnlyDictionary<string, string>? metadata, string address) => new(
        new ClusterConfig
        {
            ClusterId = "c",
            Metadata = metadata,
            HealthCheck = new HealthCheckConfig { Active = new ActiveHealthCheckConfig { Enabled = true, Path = "/ping" } },
            Destinations = new Dictionary<string, DestinationConfig> { ["d"] = new() { Address = address } },
        },
        new HttpMessageInvoker(new HttpClientHandler()));
}
