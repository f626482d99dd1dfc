using System.Net;
using MaintProxy.Maintenance;

namespace MaintProxy.Tests.Maintenance;

public sealed class ClientAddressTests
{
    private static IPNetwork[] Networks(params string[] cidrs) =>
        cidrs.Select(c => ClientAddress.TryParseNetwork(c, out var n) ? n : throw new ArgumentException(c)).ToArray();

    private static DefaultHttpContext Request(string peer, params string[] forwardedFor)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        if (forwardedFor.Length > 0)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        return context;
    }

    [Theory]
    [InlineData("10.1.2.3/8", "10.200.0.1", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("203.0.113.7", "203.0.113.7", true)]
    [InlineData("203.0.113.7", "203.0.113.8", false)]
    [InlineData("2001:db8::/32", "2001:db8:1::5", true)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]
    [InlineData(" 192.168.1.10 ", "192.168.1.10", true)]
    [InlineData("0.0.0.0/0", "198.51.100.1", true)]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1", true)]
    public void TryParseNetwork_ContainsWhatTheOperatorMeant(string cidr, string address, bool expected)
    {
        Assert.True(ClientAddress.TryParseNetwork(cidr, out var network));
        var ip = IPAddress.Parse(address);
        Assert.Equal(expected, network.Contains(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bogus")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/x")]
    [InlineData("192.168.001.010")]
    [InlineData("010.0.0.1")]
    [InlineData("10.0.0.010/8")]
    [InlineData("10.1")]
    [InlineData("10")]
    [InlineData("4294967295")]
    [InlineData("0x0a.0.0.1")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1..2.3")]
    [InlineData("::ffff:010.0.0.1")]
    public void TryParseNetwork_Garbage_IsRejected(string cidr) => Assert.False(ClientAddress.TryParseNetwork(cidr, out _));

    [Fact]
    public void Resolve_UntrustedPeer_IgnoresForwardedFor() =>
        Assert.Equal(IPAddress.Parse("198.51.100.9"), ClientAddress.Resolve(Request("198.51.100.9", "203.0.113.7"), []));

    [Fact]
    public void Resolve_TrustedPeer_TakesTheRightmostUntrustedHop() =>
        Assert.Equal(IPAddress.Parse("198.51.100.1"), ClientAddress.Resolve(Request("10.0.0.2", "203.0.113.7, 198.51.100.1", "10.0.0.3"), Networks("10.0.0.0/8")));

    [Theory]
    [InlineData("203.0.113.7, not-an-ip")]
    [InlineData("unknown")]
    [InlineData("10.0.0.9, unknown, 10.0.0.3")]
    public void Resolve_TrustedPeerNamesNoAddress_TheClientIsUnknown(string forwardedFor) =>
        Assert.Null(ClientAddress.Resolve(Request("10.0.0.2", forwardedFor), Networks("10.0.0.0/8")));

    [Theory]
    [InlineData("203.0.113.7:4711", "203.0.113.7")]
    [InlineData("[2001:db8::9]:4711", "2001:db8::9")]
    [InlineData("2001:db8::9", "2001:db8::9")]
    [InlineData("198.51.100.1, 10.0.0.3:80", "198.51.100.1")]
    public void Resolve_TrustedPeerWritesAPort_TheAddressIsTheClient(string forwardedFor, string expected) =>
        Assert.Equal(IPAddress.Parse(expected), ClientAddress.Resolve(Request("10.0.0.2", forwardedFor), Networks("10.0.0.0/8")));
}
