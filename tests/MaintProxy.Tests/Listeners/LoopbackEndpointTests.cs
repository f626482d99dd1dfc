using System.Net;
using MaintProxy.Listeners;

namespace MaintProxy.Tests.Listeners;

public sealed class LoopbackEndpointTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8081", "127.0.0.1")]
    [InlineData("http://127.0.0.2:8081", "127.0.0.2")]
    [InlineData("http://[::1]:8081", "::1")]
    [InlineData("http://localhost:8081", "127.0.0.1")]
    [InlineData("http://LocalHost:8081", "127.0.0.1")]
    public void TryParse_LoopbackUrl_GivesItsAddressAndPort(string url, string address)
    {
        Assert.True(LoopbackEndpoint.TryParse(url, out var endPoint, out var error), error);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), 8081), endPoint);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8081", "not a loopback address")]
    [InlineData("http://192.0.2.1:8081", "not a loopback address")]
    [InlineData("http://localhost.example:8081", "not a loopback address")]
    [InlineData("https://127.0.0.1:8081", "not an http:// URL")]
    [InlineData("127.0.0.1:8081", "not an http:// URL")]
    [InlineData("http://127.0.0.1:8081/admin", "a listener has no path, query or user")]
    [InlineData("http://127.0.0.1:8081/?x=1", "a listener has no path, query or user")]
    [InlineData("http://127.0.0.1:", "has no port after the ':'")]
    [InlineData("http://[::1]:", "has no port after the ':'")]
    [InlineData("http://localhost:/", "has no port after the ':'")]
    public void TryParse_AnythingElse_SaysWhy(string url, string why)
    {
        Assert.False(LoopbackEndpoint.TryParse(url, out _, out var error));
        Assert.Contains(why, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:8081", true)]
    [InlineData("[::1]:8081", true)]
    [InlineData("localhost", true)]
    [InlineData("", true)]
    [InlineData("rebound.example:8081", false)]
    [InlineData("192.0.2.1", false)]
    public void IsAddressedToLoopback_ByTheHostHeader(string host, bool expected) =>
        Assert.Equal(expected, LoopbackEndpoint.IsAddressedToLoopback(new HostString(host)));

    [Theory]
    [InlineData("127.0.0.1", 8081, true)]
    [InlineData("::ffff:127.0.0.1", 8081, true)]
    [InlineData("::1", 8081, false)]
    [InlineData("127.0.0.2", 8081, false)]
    [InlineData("127.0.0.1", 8080, false)]
    public void IsConnectionTo_TheListenersAddressAndPort_NotAnotherLoopbackAddress(string localAddress, int localPort, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Connection.LocalIpAddress = System.Net.IPAddress.Parse(localAddress);
        context.Connection.LocalPort = localPort;

        Assert.Equal(expected, LoopbackEndpoint.IsConnectionTo(context, LoopbackEndpoint.Parse("http://127.0.0.1:8081")));
    }
}
