using MaintProxy.Maintenance;

namespace MaintProxy.Tests.Maintenance;

public sealed class HostNamesTests
{
    [Theory]
    [InlineData("shop.example.org", "shop.example.org")]
    [InlineData("Shop.Example.ORG", "shop.example.org")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.Example", "xn--bcher-kva.example")]
    [InlineData("App", "app")]
    [InlineData("shop.example.org.", "shop.example.org")]
    [InlineData("bücher.example.", "xn--bcher-kva.example")]
    [InlineData(".", null)]
    [InlineData("über..example", null)]
    public void Canonical_IsAsciiLowerCase(string name, string? expected) =>
        Assert.Equal(expected, HostNames.Canonical(name));

    [Theory]
    [InlineData("shop.example.org", "shop.example.org")]
    [InlineData("shop.example.org:8080", "shop.example.org")]
    [InlineData("XN--BCHER-KVA.example:80", "XN--BCHER-KVA.example")]
    [InlineData("shop.example.org.", "shop.example.org")]
    [InlineData("shop.example.org.:8080", "shop.example.org")]
    [InlineData("[::1]:8080", "[::1]")]
    [InlineData("[::1]", "[::1]")]
    [InlineData("127.0.0.1:8080", "127.0.0.1")]
    [InlineData("", "")]
    public void OfRequest_IsTheHostWithoutPort(string authority, string expected) =>
        Assert.Equal(expected, HostNames.OfRequest(authority).ToString());

    [Theory]
    [InlineData("shop.example.org:8080", true)]
    [InlineData("shop.example.org:", true)]
    [InlineData("[::1]:8080", true)]
    [InlineData("shop.example.org", false)]
    [InlineData("[::1]", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("app:v2", false)]
    public void HasPort_IsAHostAndDigitsAfterItsColon(string name, bool expected) =>
        Assert.Equal(expected, HostNames.HasPort(name));
}
