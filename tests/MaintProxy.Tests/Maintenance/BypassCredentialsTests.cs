using System.Security.Cryptography;
using System.Text;
using MaintProxy.Maintenance;
using Microsoft.Extensions.Primitives;

namespace MaintProxy.Tests.Maintenance;

public sealed class BypassCredentialsTests
{
    private static readonly byte[] Hash = SHA256.HashData(Encoding.UTF8.GetBytes("the-right-secret-123"));
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

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

        Assert.True(BypassCredentials.IsValidCookie(cookie, Hash, Now, Lifetime));
        Assert.False(BypassCredentials.IsValidCookie(cookie, Hash, Now.AddHours(1), Lifetime));
    }

    [Fact]
    public void Cookie_ExpiringLaterThanTheLifetimeFromNow_IsRejected()
    {
        var lifetime = TimeSpan.FromHours(12);

        Assert.True(BypassCredentials.IsValidCookie(BypassCredentials.IssueCookie(Hash, Now + lifetime), Hash, Now, lifetime));
        Assert.True(BypassCredentials.IsValidCookie(BypassCredentials.IssueCookie(Hash, Now + lifetime), Hash, Now.AddHours(1), lifetime));
        Assert.False(BypassCredentials.IsValidCookie(BypassCredentials.IssueCookie(Hash, Now + lifetime + TimeSpan.FromSeconds(1)), Hash, Now, lifetime));
        Assert.False(BypassCredentials.IsValidCookie(BypassCredentials.IssueCookie(Hash, Now.AddYears(1)), Hash, Now, lifetime));
    }

    [Fact]
    public void Cookie_IssuedWithALifetimeInFractionsOfASecond_IsValidAtOnce()
    {
        var issuedAt = Now.AddMilliseconds(600);
        var lifetime = TimeSpan.FromMilliseconds(60_500);

        Assert.True(BypassCredentials.IsValidCookie(BypassCredentials.IssueCookie(Hash, issuedAt + lifetime), Hash, issuedAt, lifetime));
    }

    [Fact]
    public void Cookie_OtherSecretTamperedOrGarbage_IsRejected()
    {
        var cookie = BypassCredentials.IssueCookie(Hash, Now.AddHours(1));
        var otherHash = SHA256.HashData("another-secret-456"u8);
        var later = cookie.Split('.') is var p ? $"{p[0]}.{long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture) + 86400}.{p[2]}" : "";

        Assert.False(BypassCredentials.IsValidCookie(cookie, otherHash, Now, Lifetime));
        Assert.False(BypassCredentials.IsValidCookie(later, Hash, Now, Lifetime));
        Assert.False(BypassCredentials.IsValidCookie("v1.garbage", Hash, Now, Lifetime));
        Assert.False(BypassCredentials.IsValidCookie("", Hash, Now, Lifetime));
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

    [Fact]
    public void HasValidCookie_ByItsExactName_InAnyCookieHeader()
    {
        var cookie = BypassCredentials.IssueCookie(Hash, Now.AddHours(1));

        Assert.True(BypassCredentials.HasValidCookie(new StringValues(["a=1", "b=2; maintproxy_bypass=" + cookie]), Hash, Now, Lifetime));
        Assert.False(BypassCredentials.HasValidCookie("MAINTPROXY_BYPASS=" + cookie, Hash, Now, Lifetime));
        Assert.False(BypassCredentials.HasValidCookie("x_maintproxy_bypass=" + cookie, Hash, Now, Lifetime));
        Assert.False(BypassCredentials.HasValidCookie(StringValues.Empty, Hash, Now, Lifetime));
    }

    [Fact]
    public void StripFrom_RemovesTheCookieFromEveryCookieHeader_AndJoinsTheRestInOne()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = new StringValues(["a=1", "maintproxy_bypass=v1.2.3; b=2", "maintproxy_bypass=v1.4.5"]);

        BypassCredentials.StripFrom(context.Request);

        Assert.Equal("a=1; b=2", Assert.Single(context.Request.Headers.Cookie.ToArray()));
    }

    [Fact]
    public void StripFrom_OnlyTheBypassCookie_RemovesTheHeader()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = "maintproxy_bypass=v1.2.3";

        BypassCredentials.StripFrom(context.Request);

        Assert.False(context.Request.Headers.ContainsKey("Cookie"));
    }

    [Fact]
    public void StripFrom_NameInAnotherCase_IsLeftAsItCame()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = "MAINTPROXY_BYPASS=v1.2.3;a=1";

        BypassCredentials.StripFrom(context.Request);

        Assert.Equal("MAINTPROXY_BYPASS=v1.2.3;a=1", context.Request.Headers.Cookie.ToString());
    }
}
