using MaintProxy.Maintenance;
using Microsoft.Extensions.Primitives;

namespace MaintProxy.Tests.Maintenance;

public sealed class MaintenanceSnapshotTests
{
    private static MaintenanceSnapshot WindowsFor(int sites) => new()
    {
        Windows = [.. Enumerable.Range(0, sites).Select(i => new MaintenanceWindow { Site = $"s{i}.example", SiteHost = $"s{i}.example" })],
    };

    [Theory]
    [InlineData("s2.example", "s2.example")]
    [InlineData("other.example, S5.example.:8443", "s5.example")]
    [InlineData("s7.example,  ,s3.example", "s3.example")]
    [InlineData("[::1]:80, other.example", null)]
    public void Match_ForwardedHost_TakesTheFirstWindowAnyEntryNames(string forwardedHost, string? expected) =>
        Assert.Equal(expected, WindowsFor(10).Match("other.example", () => null, null, forwardedHost)?.Site);

    [Fact]
    public void Match_WindowForTheHost_ComesBeforeALaterOneTheForwardedHostNames() =>
        Assert.Equal("s1.example", WindowsFor(10).Match("s1.example", () => null, null, "s4.example")?.Site);

    [Fact]
    public void Match_ReadsEachForwardedHostEntryOnce_WhateverTheNumberOfWindows()
    {
        // A client may send thousands of entries; the ones that are not ASCII are converted (IDNA) to be compared.
        StringValues entries = string.Join(',', Enumerable.Range(0, 2000).Select(i => $"shöp{i}.example"));
        var one = WindowsFor(1);
        var twenty = WindowsFor(20);
        one.Match("other.example", () => null, null, entries);
        twenty.Match("other.example", () => null, null, entries);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Null(one.Match("other.example", () => null, null, entries));
        var forOne = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Null(twenty.Match("other.example", () => null, null, entries));
        var forTwenty = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(forTwenty < 2 * forOne, $"{forTwenty} bytes for 20 windows, {forOne} for one");
    }
}
