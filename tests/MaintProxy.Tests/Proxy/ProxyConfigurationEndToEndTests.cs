using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>A <c>ReverseProxy</c> section the proxy cannot serve stops the start with the reason, naming the route or cluster.</summary>
public sealed class ProxyConfigurationEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task RouteNamingNoCluster_RefusesToStartNamingTheRoute()
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Routes:app:ClusterId"] = "ap",
        });

        Assert.Contains("MaintProxy cannot start:", output, StringComparison.Ordinal);
        Assert.Contains("Route 'app': its ClusterId 'ap' names no cluster in ReverseProxy:Clusters", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterRefusedByMaintProxy_StartMessageGivesTheReason()
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:Metadata:Transport"] = "Gopher",
        });

        Assert.Contains("MaintProxy cannot start:", output, StringComparison.Ordinal);
        Assert.Contains("Cluster 'app': unknown transport 'Gopher' in metadata 'Transport'", output, StringComparison.Ordinal);
    }
}
