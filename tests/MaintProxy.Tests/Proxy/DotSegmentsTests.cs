using MaintProxy.Proxy;

namespace MaintProxy.Tests.Proxy;

public sealed class DotSegmentsTests
{
    [Theory]
    [InlineData("/health/../admin", "/admin")]
    [InlineData("/a/./b", "/a/b")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/a/.", "/a/")]
    [InlineData("/../../x", "/x")]
    [InlineData("/..", "/")]
    [InlineData("/a/b/../../../c/", "/c/")]
    public void Remove_AppliesTheDotSegments(string path, string expected)
    {
        Assert.True(DotSegments.AreIn(path));
        Assert.Equal(expected, DotSegments.Remove(path));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/.well-known/acme")]
    [InlineData("/a/..b/c.")]
    [InlineData("/a/...")]
    [InlineData("/a.b/c")]
    public void AreIn_OnlyWholeSegments(string path) => Assert.False(DotSegments.AreIn(path));
}
