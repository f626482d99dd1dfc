using System.Security.Cryptography;
using System.Text;
using MaintProxy.Maintenance;
using Microsoft.Extensions.Primitives;

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
        Assert.False(BypassCredentials.IsValidCookie("", Hash, Now));
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

        Assert.True(BypassCredentials.HasValidCookie(new StringValues(["a=1", "b=2; maintproxy_bypass=" + cookie]), Hash, Now));
        Assert.False(BypassCredentials.HasValidCookie("MAINTPROXY_BYPASS=" + cookie, Hash, Now));
        Assert.False(BypassCredentials.HasValidCookie("x_maintproxy_bypass=" + cookie, Hash, Now));
        Assert.False(BypassCredentials.HasValidCookie(StringValues.Empty, Hash, Now));
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
