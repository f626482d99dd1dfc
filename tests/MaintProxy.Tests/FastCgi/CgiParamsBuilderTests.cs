using MaintProxy.FastCgi;

namespace MaintProxy.Tests.FastCgi;

public sealed class CgiParamsBuilderTests
{
    [Fact]
    public void TryBuild_ScriptWithPathInfoAndQuery_FollowsFastCgiParams()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "fcgi://127.0.0.1:9000/app/index.php/a/b%20c?x=1&y=2");
        request.Headers.TryAddWithoutValidation("X-Custom", "v");

        var p = Build(Settings(), request, "/app/index.php/a/b%20c");

        Assert.Equal("/app/index.php", p["SCRIPT_NAME"]);
        Assert.Equal("/srv/www/app/index.php", p["SCRIPT_FILENAME"]);
        Assert.Equal("/a/b c", p["PATH_INFO"]);
        Assert.Equal("/srv/www/a/b c", p["PATH_TRANSLATED"]);
        Assert.Equal("x=1&y=2", p["QUERY_STRING"]);
        Assert.Equal("/app/index.php/a/b c", p["DOCUMENT_URI"]);
        Assert.Equal("/app/index.php/a/b%20c?x=1&y=2", p["REQUEST_URI"]);
        Assert.Equal("/srv/www", p["DOCUMENT_ROOT"]);
        Assert.Equal("GET", p["REQUEST_METHOD"]);
        Assert.Equal("CGI/1.1", p["GATEWAY_INTERFACE"]);
        Assert.Equal("200", p["REDIRECT_STATUS"]);
        Assert.Equal("v", p["HTTP_X_CUSTOM"]);
        Assert.Equal("", p["CONTENT_LENGTH"]);
    }

    [Fact]
    public void TryBuild_Query_IsPassedAsTheRequestWasBuiltNotCanonicalized()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "fcgi://h:1/i.php?a=%41&c=%ZZ&q=\"x\"&r=<>");

        var p = Build(Settings(), request, "/i.php");

        Assert.Equal("a=%41&c=%ZZ&q=\"x\"&r=<>", p["QUERY_STRING"]);
        Assert.Equal("/i.php?a=%41&c=%ZZ&q=\"x\"&r=<>", p["REQUEST_URI"]);
    }

    [Fact]
    public void TryBuild_DirectoryPath_GetsTheIndexFile()
    {
        var p = Build(Settings(), new HttpRequestMessage(HttpMethod.Get, "fcgi://h:1/docs/"), "/docs/");

        Assert.Equal("/docs/index.php", p["SCRIPT_NAME"]);
        Assert.Equal("", p["PATH_INFO"]);
    }

    [Fact]
    public void TryBuild_FrontController_RunsItForPathsThatNameNoScript()
    {
        var settings = Settings(("FastCGI.FrontController", "/index.php"));

        var p = Build(settings, new HttpRequestMessage(HttpMethod.Get, "fcgi://h:1/blog/2024/post?page=2"), "/blog/2024/post");
        var direct = Build(settings, new HttpRequestMessage(HttpMethod.Get, "fcgi://h:1/admin.php"), "/admin.php");

        Assert.Equal("/index.php", p["SCRIPT_NAME"]);
        Assert.Equal("/srv/www/index.php", p["SCRIPT_FILENAME"]);
        Assert.Equal("/blog/2024/post?page=2", p["REQUEST_URI"]);
        Assert.Equal("/admin.php", direct["SCRIPT_NAME"]);
    }

    [Fact]
    public void TryBuild_HealthProbe_PathIsTheScriptNameEvenWithAFrontController()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "fcgi://h:1/ping");
        request.Options.Set(FastCgiRequestOptions.HealthProbe, true);

        var p = Build(Settings(("FastCGI.FrontController", "/index.php")), request, "/ping");

        Assert.Equal("/ping", p["SCRIPT_NAME"]);
        Assert.Equal("/srv/www/ping", p["SCRIPT_FILENAME"]);
        Assert.Equal("/ping", p["REQUEST_URI"]);
    }

    [Fact]
    public void TryBuild_ProxyAndUnderscoreHeaders_AreDropped()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "fcgi://h:1/i.php");
        request.Headers.TryAddWithoutValidation("Proxy", "http://evil:3128");
        request.Headers.TryAddWithoutValidation("X_Under_Score", "1");
        request.Headers.TryAddWithoutValidation("Cookie", ["a=1", "b=2"]);

        var p = Build(Settings(), request, "/i.php");

        Assert.False(p.ContainsKey("HTTP_PROXY"));
        Assert.False(p.ContainsKey("HTTP_X_UNDER_SCORE"));
        Assert.Equal("a=1; b=2", p["HTTP_COOKIE"]);
    }

    [Fact]
    public void TryBuild_ContentHeaders_AreTheCgiVariablesOnly()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "fcgi://h:1/i.php") { Content = new ByteArrayContent(new byte[3]) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "text/plain");
        request.Content.Headers.ContentLength = 3;
        var parameters = new List<KeyValuePair<string, string>>();

        Assert.True(CgiParamsBuilder.TryBuild(Settings(), request, "/i.php", "3", parameters, out _));

        var p = parameters.ToDictionary();
        Assert.Equal("3", p["CONTENT_LENGTH"]);
        Assert.Equal("text/plain", p["CONTENT_TYPE"]);
        Assert.DoesNotContain(parameters, pair => pair.Key is "HTTP_CONTENT_LENGTH" or "HTTP_CONTENT_TYPE");
    }

    [Fact]
    public void TryBuild_OutgoingHostHeader_WinsOverTheDestination()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "fcgi://127.0.0.1:9000/i.php");
        request.Headers.Host = "shop.example:8443";

        var p = Build(Settings(), request, "/i.php");

        Assert.Equal("shop.example:8443", p["HTTP_HOST"]);
        Assert.Equal("shop.example", p["SERVER_NAME"]);
    }

    [Theory]
    [InlineData("[::1]", "[::1]")]
    [InlineData("[2001:db8::1]:8443", "[2001:db8::1]")]
    public void TryBuild_IPv6LiteralHost_ServerNameKeepsTheWholeAddress(string host, string serverName)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "fcgi://127.0.0.1:9000/i.php");
        request.Headers.TryAddWithoutValidation("Host", host);

        var p = Build(Settings(), request, "/i.php");

        Assert.Equal(serverName, p["SERVER_NAME"]);
    }

    [Fact]
    public void TryBuild_IPv4ClientOnADualStackListener_RemoteAddrIsIPv4()
    {
        // A listener on [::] sees IPv4 clients as ::ffff:a.b.c.d; tests may only bind loopback, so the peer is set here.
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("::ffff:203.0.113.9");
        context.Connection.LocalIpAddress = System.Net.IPAddress.Parse("::ffff:192.0.2.1");
        var request = new HttpRequestMessage(HttpMethod.Get, "fcgi://h:1/i.php");
        request.Options.Set(FastCgiRequestOptions.HttpContext, context);

        var p = Build(Settings(), request, "/i.php");

        Assert.Equal("203.0.113.9", p["REMOTE_ADDR"]);
        Assert.Equal("192.0.2.1", p["SERVER_ADDR"]);
    }

    [Fact]
    public void TryBuild_ExtraParam_OverridesAndAdds()
    {
        var p = Build(Settings(("FastCGI.Param.APP_ENV", "prod"), ("FastCGI.Param.SERVER_SOFTWARE", "x")),
            new HttpRequestMessage(HttpMethod.Get, "fcgi://h:1/i.php"), "/i.php");

        Assert.Equal("prod", p["APP_ENV"]);
        Assert.Equal("x", p["SERVER_SOFTWARE"]);
    }

    [Theory]
    [InlineData("/a/..%2F..%2Fetc/passwd.php")]
    [InlineData("/x.php%00.jpg")]
    [InlineData("/a/.%2Fx.php")]
    [InlineData("/..%5Cwin.php")]
    public void TryBuild_PathThatCouldLeaveTheRoot_IsRefused(string escapedPath)
    {
        var parameters = new List<KeyValuePair<string, string>>();

        Assert.False(CgiParamsBuilder.TryBuild(Settings(), new HttpRequestMessage(HttpMethod.Get, "fcgi://h:1/"), escapedPath, "", parameters, out var refusal));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refusal);
    }

    internal static FastCgiClusterSettings Settings(params (string Key, string Value)[] extra)
    {
        var metadata = new Dictionary<string, string> { ["Transport"] = "FastCGI", ["FastCGI.DocumentRoot"] = "/srv/www/" };
        foreach (var (key, value) in extra)
        {
            metadata[key] = value;
        }

        Assert.True(FastCgiClusterSettings.TryParse("c", metadata, out var settings, out var error), error);
        return settings;
    }

    private static Dictionary<string, string> Build(FastCgiClusterSettings settings, HttpRequestMessage request, string escapedPath)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        Assert.True(CgiParamsBuilder.TryBuild(settings, request, escapedPath, "", parameters, out _));
        Assert.Equal(parameters.Count, parameters.Select(p => p.Key).Distinct().Count());
        return parameters.ToDictionary();
    }
}
