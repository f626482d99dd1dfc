using System.Security.Cryptography;
using System.Text;
using MaintProxy.Maintenance;

namespace MaintProxy.Tests.Maintenance;

public sealed class BypassCredentialsTests
{
    private static readonly byte[] Hash = SHA256.HashData(Encoding.UTF8.GetBytes("the-right-secret-123"));
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void IsSecret_ComparesTheHash()
    {
        Assert.True(BypassCredentials.IsSecret("the-right-secret-123", Hash));
        Assert.False(BypassCredentials.IsSecret("the-right-secret-124", Hash));
        Assert.False(BypassCredentials.IsSecret("", Hash));
    }

    [Fact]
    public void Cookie_ValidUntilItExpires()
    {
        var cookie = BypassCredentials.IssueCookie(Hash, Now.AddHours(1));

        Assert.True(BypassCredentials.IsValidCookie(cookie, Hash, Now));
        Assert.False(BypassCredentials.IsValidCookie(cookie, Hash, Now.AddHours(1)));
    }

    [Fact]
    public void Cookie_OtherSecretTamperedOrGarbage_IsRejected()
    {
        var cookie = BypassCredentials.IssueCookie(Hash, Now.AddHours(1));
        var otherHash = SHA256.HashData("another-secret-456"u8);
        var later = cookie.Split('.') is var p ? $"{p[0]}.{long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture) + 86400}.{p[2]}" : "";

        Assert.False(BypassCredentials.IsValidCookie(cookie, otherHash, Now));
        Assert.False(BypassCredentials.IsValidCookie(later, Hash, Now));
        Assert.False(BypassCredentials.IsValidCookie("v1.garbage", Hash, Now));
        Assert.False(BypassCredentials.IsValidCookie(null, Hash, Now));
    }

    [Fact]
    public void StripFrom_RemovesOnlyTheBypassHeaderAndCookie()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[BypassCredentials.HeaderName] = "secret";
        context.Request.Headers.Cookie = "a=1; maintproxy_bypass=v1.2.3; b=2";

        BypassCredentials.StripFrom(context.Request);

        Assert.False(context.Request.Headers.ContainsKey(BypassCredentials.HeaderName));
        Assert.Equal("a=1; b=2", context.Request.Headers.Cookie.ToString());
    }
}
