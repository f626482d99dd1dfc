using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// How long the proxy keeps an idle connection to a real php-fpm (<c>FastCgi:PooledConnectionIdleTimeout</c>):
/// the connection, and with it the worker, is given back once it has been idle that long.
/// </summary>
public sealed class FastCgiPooledConnectionsEndToEndTests : FastCgiEndToEndTest
{
    // Far below the 1 minute default: only the configured timeout closes the connection within this wait.
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task PooledConnectionIdleTimeout_IdleConnectionToTheServerIsClosedAfterIt()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(10),
            new Dictionary<string, string> { ["FastCgi:PooledConnectionIdleTimeout"] = "00:00:01" });
        var port = ((IPEndPoint)fpm.EndPoint).Port;

        using (var response = await Client.GetAsync(proxy.PublicUrl + "/hello.php"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(await Eventually.TrueAsync(() => LoopbackConnections.ClientPortsTo(port, establishedOnly: true).Count == 0, CloseWait),
            "the idle connection to php-fpm was still open: FastCgi:PooledConnectionIdleTimeout was not applied");
        using var again = await Client.GetAsync(proxy.PublicUrl + "/hello.php");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }
}
