using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>A FastCGI cluster's <c>Metadata</c> settings, each changing what a real php-fpm is asked.</summary>
public sealed class FastCgiClusterMetadataEndToEndTests : FastCgiEndToEndTest
{
    private const string Metadata = "ReverseProxy:Clusters:app:Metadata:";

    [Fact]
    public async Task Index_PathEndingInSlash_RunsTheConfiguredIndexFile()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        // The document root has hello.php and no index.php: the default index would find nothing.
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(10),
            new Dictionary<string, string> { [Metadata + "FastCGI.Index"] = "hello.php" });

        using var response = await Client.GetAsync(proxy.PublicUrl + "/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("hello from ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeepConnFalse_TheConnectionClosesAfterEachRequest()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(10),
            new Dictionary<string, string> { [Metadata + "FastCGI.KeepConn"] = "false" });
        var port = ((IPEndPoint)fpm.EndPoint).Port;

        for (var i = 0; i < 2; i++)
        {
            using var response = await Client.GetAsync(proxy.PublicUrl + "/hello.php");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            // Kept connections stay open for FastCgi:PooledConnectionIdleTimeout (1 minute).
            Assert.True(await Eventually.TrueAsync(() => LoopbackConnections.ClientPortsTo(port, establishedOnly: true).Count == 0, TimeSpan.FromSeconds(15)),
                "the connection to php-fpm stayed open although FastCGI.KeepConn is false");
        }
    }
}
