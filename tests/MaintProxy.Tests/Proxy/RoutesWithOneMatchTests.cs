using MaintProxy.Proxy;
using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// Each pair was tried on the real proxy with the check off: those named answered 500 (ASP.NET Core's
/// AmbiguousMatchException) for the requests both match; those let through were served.
/// </summary>
public sealed class RoutesWithOneMatchTests
{
    [Theory]
    [InlineData("/{**rest}", "", "", "{**catch-all}", "", "")]
    [InlineData("/API/{id}", "", "", "/api/{x}", "", "")]
    [InlineData("/{**rest}", "", "", "/{*path}", "", "")]
    [InlineData("/api/", "", "", "/api", "", "")]
    [InlineData("/api/{id}", "", "", "/api/{x}/", "", "")]
    [InlineData("/{**rest}", "a.example,b.example", "", "/{**rest}", "b.example,a.example", "")]
    [InlineData("/{**rest}", "a.example,b.example", "", "/{**rest}", "b.example", "")]
    [InlineData("/{**rest}", "", "GET,POST", "/{**rest}", "", "POST,GET")]
    [InlineData("/{**rest}", "", "GET", "/{**rest}", "", "get,POST")]
    public void RoutesRoutingCannotChooseBetween_AreNamed(string path, string hosts, string methods, string otherPath, string otherHosts, string otherMethods)
    {
        var problem = RoutesWithOneMatch.FindProblem([Route("first", path, hosts, methods), Route("second", otherPath, otherHosts, otherMethods)]);

        Assert.NotNull(problem);
        Assert.StartsWith("Routes 'first' and 'second' match the same requests", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/{**rest}", "", "GET", "/{**rest}", "", "POST")]
    [InlineData("/{**rest}", "", "", "/{**rest}", "", "POST")]
    [InlineData("/{**rest}", "", "", "/{**rest}", "a.example", "")]
    [InlineData("/{**rest}", "a.example", "", "/{**rest}", "b.example", "")]
    [InlineData("/api/{id}", "", "", "/api/{id:int}", "", "")]
    [InlineData("/api/{id}", "", "", "/api/{id}/more", "", "")]
    [InlineData("/api/{id}", "", "", "/api/{**id}", "", "")]
    public void RoutesRoutingTellsApart_AreLetThrough(string path, string hosts, string methods, string otherPath, string otherHosts, string otherMethods) =>
        Assert.Null(RoutesWithOneMatch.FindProblem([Route("first", path, hosts, methods), Route("second", otherPath, otherHosts, otherMethods)]));

    [Fact]
    public void TheSameHeaderMatchers_InAnotherOrder_AreNamed()
    {
        RouteHeader a = new() { Name = "X-A", Values = ["1"] }, b = new() { Name = "X-B", Values = ["1"] };

        var problem = RoutesWithOneMatch.FindProblem([
            Route("first", "/{**rest}", "", "") with { Match = new() { Path = "/{**rest}", Headers = [a, b] } },
            Route("second", "/{**rest}", "", "") with { Match = new() { Path = "/{**rest}", Headers = [b, a] } },
        ]);

        Assert.NotNull(problem);
    }

    [Fact]
    public void HeaderMatchersWithOtherValues_AreLetThrough() =>
        Assert.Null(RoutesWithOneMatch.FindProblem([
            Route("first", "/{**rest}", "", "") with { Match = new() { Path = "/{**rest}", Headers = [new() { Name = "X-A", Values = ["1"] }] } },
            Route("second", "/{**rest}", "", "") with { Match = new() { Path = "/{**rest}", Headers = [new() { Name = "X-A", Values = ["2"] }] } },
        ]));

    [Fact]
    public void RouteWithNeitherPathNorHosts_IsLeftToYarp() =>
        Assert.Null(RoutesWithOneMatch.FindProblem([Route("first", "", "", "GET"), Route("second", "/{**rest}", "", "GET")]));

    [Fact]
    public void AnotherOrder_IsLetThrough() =>
        Assert.Null(RoutesWithOneMatch.FindProblem([Route("first", "/{**rest}", "", "") with { Order = 1 }, Route("second", "/{**rest}", "", "")]));

    private static RouteConfig Route(string id, string path, string hosts, string methods) => new()
    {
        RouteId = id,
        ClusterId = "app",
        Match = new()
        {
            Path = path,
            Hosts = hosts.Length == 0 ? null : hosts.Split(','),
            Methods = methods.Length == 0 ? null : methods.Split(','),
        },
    };
}
