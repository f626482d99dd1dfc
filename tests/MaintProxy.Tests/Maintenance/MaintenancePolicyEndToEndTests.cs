using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MaintProxy.Maintenance;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>Per-site windows, bypasses, read-only mode, drain and negotiation, driven by the real scripts.</summary>
public sealed class MaintenancePolicyEndToEndTests : EndToEndTest
{
    private const string Secret = "s3cret-bypass-0123456789";
    private static HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, url);
        configure?.Invoke(request);
        return await client.SendAsync(request);
    }

    private static async Task Down(ProxyProcess proxy, params string[] args)
    {
        var result = await Scripts.DownAsync(proxy, args);
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
    }

    /// <summary>Visits the secret's path and returns the value of the cookie it earns.</summary>
    private static async Task<string> EarnCookieValueAsync(HttpClient client, ProxyProcess proxy)
    {
        using var grant = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/" + Secret);
        Assert.Equal(HttpStatusCode.Found, grant.StatusCode);
        return grant.Headers.GetValues("Set-Cookie").Single().Split(';')[0]["maintproxy_bypass=".Length..];
    }

    [Fact]
    public async Task TwoSites_OneDown_OtherKeepsBeingForwarded()
    {
        await using var other = await TestBackend.StartAsync();
        await using var proxy = await StartProxyAsync(new()
        {
            ["ReverseProxy:Routes:beta:ClusterId"] = "beta",
            ["ReverseProxy:Routes:beta:Order"] = "-1",
            ["ReverseProxy:Routes:beta:Match:Hosts:0"] = "b.test",
            ["ReverseProxy:Clusters:beta:Destinations:one:Address"] = other.Url,
        });
        using var client = Client();
        void HostA(HttpRequestMessage r) => r.Headers.Host = "a.test";
        void HostB(HttpRequestMessage r) => r.Headers.Host = "b.test";

        await Down(proxy, "--site", "beta", "--reason", "beta upgrade");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/x", HostA)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/x", HostB)).StatusCode);

        // A second, independent window by host name; ending one leaves the other.
        await Down(proxy, "--site", "a.test", "--reason", "alpha upgrade");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/x", HostA)).StatusCode);
        var up = await Scripts.UpAsync(proxy, "--site", "beta");
        Assert.Equal(0, up.ExitCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/x", HostB)).StatusCode);
        using var stillDown = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/x", r => { HostA(r); r.Headers.Accept.ParseAdd("application/json"); });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stillDown.StatusCode);
        Assert.Equal("alpha upgrade", JsonDocument.Parse(await stillDown.Content.ReadAsStringAsync()).RootElement.GetProperty("reason").GetString());

        Assert.Equal(0, (await Scripts.UpAsync(proxy)).ExitCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/x", HostA)).StatusCode);
        Assert.Single(other.Requests, r => r.Path == "/x");
    }

    [Fact]
    public async Task SiteWindow_TakesPrecedenceOverTheWindowForEverySite()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();
        void HostA(HttpRequestMessage r) => r.Headers.Host = "a.test";
        static async Task<string?> ReasonOfAsync(HttpResponseMessage r) =>
            JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("reason").GetString();

        await Down(proxy, "--reason", "everything");
        await Down(proxy, "--site", "a.test", "--read-only", "--reason", "a.test read-only");

        using var read = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/x", HostA);
        using var write = await SendAsync(client, HttpMethod.Post, proxy.PublicUrl + "/x", r => { HostA(r); r.Headers.Accept.ParseAdd("application/json"); });
        using var other = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/x", r => { r.Headers.Host = "b.test"; r.Headers.Accept.ParseAdd("application/json"); });

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, write.StatusCode);
        Assert.Equal("a.test read-only", await ReasonOfAsync(write));
        Assert.Equal("read-only", write.Headers.GetValues("X-Maintenance-Scope").Single());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, other.StatusCode);
        Assert.Equal("everything", await ReasonOfAsync(other));
        Assert.Single(Backend.Requests);
    }

    [Fact]
    public async Task ReadOnly_GetForwarded_PostAnswered503WithScopeHeader()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();

        await Down(proxy, "--read-only");

        using var get = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/orders");
        using var post = await SendAsync(client, HttpMethod.Post, proxy.PublicUrl + "/orders", r => r.Content = new StringContent("x"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
        Assert.Equal("1", post.Headers.GetValues("X-Maintenance-Mode").Single());
        Assert.Equal("read-only", post.Headers.GetValues("X-Maintenance-Scope").Single());
        Assert.DoesNotContain(Backend.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task ReadOnly_HeadOptionsAndTrace_AreForwarded()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();
        await Down(proxy, "--read-only");

        foreach (var method in new[] { HttpMethod.Head, HttpMethod.Options, HttpMethod.Trace })
        {
            using var response = await SendAsync(client, method, proxy.PublicUrl + "/orders");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} got {(int)response.StatusCode}");
        }

        Assert.Equal(["HEAD", "OPTIONS", "TRACE"], Backend.Requests.Select(r => r.Method));
    }

    [Theory]
    [InlineData("Content-Length: {0}\r\n\r\n{1}")]
    [InlineData("Transfer-Encoding: chunked\r\n\r\n{0:x}\r\n{1}\r\n0\r\n\r\n")]
    [InlineData("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n{0:x}\r\n{1}\r\n0\r\n\r\n")]
    public async Task ReadOnly_GetWithABody_IsAWrite(string framing)
    {
        await using var proxy = await StartProxyAsync();
        await Down(proxy, "--read-only");
        // What a backend that does not read GET bodies would take for the next request.
        const string smuggled = "POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";

        var response = await RawHttp.SendAsync(proxy.PublicPort,
            "GET /orders HTTP/1.1\r\nHost: 127.0.0.1\r\n" + string.Format(CultureInfo.InvariantCulture, framing, smuggled.Length, smuggled));

        Assert.Equal(503, response.StatusCode);
        Assert.Equal("read-only", response.Header("X-Maintenance-Scope"));
        Assert.Empty(Backend.Requests);
    }

    [Theory]
    [InlineData("/orders", "X-HTTP-Method-Override: DELETE\r\n")]
    [InlineData("/orders", "X-HTTP-Method: PUT\r\n")]
    [InlineData("/orders", "X-Method-Override: patch\r\n")]
    [InlineData("/orders?id=7&_method=DELETE", "")]
    public async Task ReadOnly_GetAskingToBeRunAsAWrite_IsAWrite(string target, string header)
    {
        await using var proxy = await StartProxyAsync();
        await Down(proxy, "--read-only");

        var write = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}\r\n");
        var read = await RawHttp.SendAsync(proxy.PublicPort, "GET /list?_method=GET HTTP/1.1\r\nHost: 127.0.0.1\r\nX-HTTP-Method-Override: HEAD\r\n\r\n");

        Assert.Equal(503, write.StatusCode);
        Assert.Equal("read-only", write.Header("X-Maintenance-Scope"));
        Assert.Equal(200, read.StatusCode);
        Assert.Equal(["/list"], Backend.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task ReadOnly_GetWithAnEmptyBody_IsForwarded()
    {
        await using var proxy = await StartProxyAsync();
        await Down(proxy, "--read-only");

        var response = await RawHttp.SendAsync(proxy.PublicPort, "GET /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Single(Backend.Requests, r => r.Method == "GET" && r.Path == "/orders");
    }

    [Fact]
    public async Task AllowCidr_UntrustedForwardedForIsIgnored_TrustedProxyIsBelieved()
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:TrustedProxies:0"] = "127.0.0.0/8" });
        await using var untrustedProxy = await ProxyProcess.StartReadyAsync(Dir.File("second"), Backend.Url);
        using var client = Client();
        void Spoof(HttpRequestMessage r) => r.Headers.Add("X-Forwarded-For", "203.0.113.7");

        await Down(proxy, "--allow", "203.0.113.0/24");
        Assert.Equal(0, (await Scripts.DownAsync(untrustedProxy, "--allow", "203.0.113.0/24")).ExitCode);

        // The peer 127.0.0.1 is a trusted proxy: its X-Forwarded-For names the client.
        using var trusted = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/ops", Spoof);
        Assert.Equal(HttpStatusCode.OK, trusted.StatusCode);
        Assert.True(trusted.Headers.Contains("X-Maintenance-Bypassed"));
        using var notAllowed = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/ops", r => r.Headers.Add("X-Forwarded-For", "203.0.113.7, 198.51.100.1"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notAllowed.StatusCode);

        // No trusted proxies configured: the same header is a spoof and is ignored.
        using var spoofed = await SendAsync(client, HttpMethod.Get, untrustedProxy.PublicUrl + "/ops", Spoof);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, spoofed.StatusCode);
        Assert.False(spoofed.Headers.Contains("X-Maintenance-Bypassed"));
    }

    [Fact]
    public async Task AllowCidr_TrustedProxyNamingNoAddress_DoesNotMakeItselfTheClient()
    {
        // The trusted proxy is 127.0.0.1, and so is the allowed network: only its own requests are let in.
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:TrustedProxies:0"] = "127.0.0.1" });
        await Down(proxy, "--allow", "127.0.0.1");

        foreach (var forwardedFor in new[] { "unknown", "203.0.113.9:4711", "127.0.0.9, not-an-address" })
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET /ops HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: {forwardedFor}\r\n\r\n");
            Assert.Equal(503, response.StatusCode);
        }

        var own = await RawHttp.SendAsync(proxy.PublicPort, "GET /own HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        var withPort = await RawHttp.SendAsync(proxy.PublicPort, "GET /with-port HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 127.0.0.1:4711\r\n\r\n");
        Assert.Equal(200, own.StatusCode);
        Assert.Equal(200, withPort.StatusCode);
        Assert.Equal(["/own", "/with-port"], Backend.Requests.Select(r => r.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AllowCidr_InTheSentinelWithLeadingZeros_FailsClosed()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();

        // Written by hand, as down.sh refuses it; read the way inet_aton reads it, it is this client.
        await File.WriteAllTextAsync(proxy.SentinelPath, "{\"allow\":[\"127.000.000.001\"]}\n");
        using var refresh = await client.PostAsync(proxy.AdminUrl + "/refresh", null);
        var status = JsonDocument.Parse(await refresh.Content.ReadAsStringAsync()).RootElement;

        Assert.Contains("127.000.000.001", status.GetProperty("sentinelError").GetString(), StringComparison.Ordinal);
        using var response = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/ops");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Empty(Backend.Requests);
    }

    [Fact]
    public async Task AllowCidr_SocketPeerInNetwork_Bypasses()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();

        await Down(proxy, "--allow", "127.0.0.1");

        using var response = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/ops");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("maintenance is on for everyone else", response.Headers.GetValues("X-Maintenance-Bypassed").Single());
    }

    [Fact]
    public async Task Secret_PathEarnsSignedCookie_CookieBypasses_NothingReachesTheBackend()
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:BypassCookieLifetime"] = "01:00:00" });
        using var client = Client();

        var down = await Scripts.DownAsync(proxy, "--secret=" + Secret);
        Assert.Equal(0, down.ExitCode);
        Assert.Contains(Secret, down.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, await File.ReadAllTextAsync(proxy.SentinelPath), StringComparison.Ordinal);

        using var wrong = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/not-the-secret-0123456789");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, wrong.StatusCode);

        using var grant = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/" + Secret);
        Assert.Equal(HttpStatusCode.Found, grant.StatusCode);
        Assert.Equal("/", grant.Headers.Location!.OriginalString);
        Assert.True(grant.Headers.CacheControl?.NoStore, "a cached grant would hand the cookie to whoever shares the cache");
        var setCookie = grant.Headers.GetValues("Set-Cookie").Single();
        Assert.StartsWith("maintproxy_bypass=v1.", setCookie, StringComparison.Ordinal);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=3600", setCookie, StringComparison.OrdinalIgnoreCase);
        var cookie = setCookie.Split(';')[0];

        using var bypassed = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/account", r => r.Headers.Add("Cookie", "theme=dark; " + cookie));
        Assert.Equal(HttpStatusCode.OK, bypassed.StatusCode);
        Assert.True(bypassed.Headers.Contains("X-Maintenance-Bypassed"));
        var seen = Backend.Requests.Single(r => r.Path == "/account");
        Assert.Equal("theme=dark", seen.Header("Cookie"));

        using var forged = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/account", r => r.Headers.Add("Cookie", cookie[..^3] + "AAA"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, forged.StatusCode);

        // A wrong secret in the header earns nothing, even next to a valid cookie.
        using var wrongHeader = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/account", r =>
        {
            r.Headers.Add("Cookie", cookie);
            r.Headers.Add("X-Maintenance-Bypass", "not-the-secret-0123456789");
        });
        Assert.Equal(HttpStatusCode.OK, wrongHeader.StatusCode);
        Assert.False(wrongHeader.Headers.Contains("Set-Cookie"));

        Assert.DoesNotContain(Backend.Requests, r => r.Path.Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(Secret, proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secret_Header_BypassesIsStrippedAndEarnsCookie()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();
        await Down(proxy, "--secret=" + Secret);

        using var response = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/api", r => r.Headers.Add("X-Maintenance-Bypass", Secret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("maintproxy_bypass=", response.Headers.GetValues("Set-Cookie").Single(), StringComparison.Ordinal);
        var seen = Backend.Requests.Single(r => r.Path == "/api");
        Assert.Null(seen.Header("X-Maintenance-Bypass"));
    }

    [Fact]
    public async Task Secret_CookieNameInAnotherCase_IsNotTheBypassCookie()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();
        await Down(proxy, "--secret=" + Secret);
        var value = await EarnCookieValueAsync(client, proxy);

        using var upperCase = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/account", r => r.Headers.Add("Cookie", "MAINTPROXY_BYPASS=" + value));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, upperCase.StatusCode);
        Assert.DoesNotContain(Backend.Requests, r => r.Path == "/account");
    }

    [Fact]
    public async Task Secret_CookieOnASecondCookieLine_IsRemoved_TheOthersGoOnAsOneHeader()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();
        await Down(proxy, "--secret=" + Secret);
        var value = await EarnCookieValueAsync(client, proxy);

        var response = await RawHttp.SendAsync(proxy.PublicPort,
            $"GET /account HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: a=1\r\nCookie: maintproxy_bypass={value}; b=2\r\n\r\n");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("a=1; b=2", Backend.Requests.Single(r => r.Path == "/account").Header("Cookie"));
    }

    [Fact]
    public async Task Secret_CookieSignedToExpireAfterTheLifetime_IsRefused()
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:BypassCookieLifetime"] = "01:00:00" });
        using var client = Client();
        await Down(proxy, "--secret=" + Secret);
        // Signed as the proxy signs, with the secret's SHA-256, the key anyone who reads the sentinel has.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Secret));
        var withinLifetime = BypassCredentials.IssueCookie(hash, DateTimeOffset.UtcNow.AddMinutes(30));
        var aYearAhead = BypassCredentials.IssueCookie(hash, DateTimeOffset.UtcNow.AddDays(365));

        using var accepted = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/ok", r => r.Headers.Add("Cookie", "maintproxy_bypass=" + withinLifetime));
        using var refused = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/long", r => r.Headers.Add("Cookie", "maintproxy_bypass=" + aYearAhead));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.DoesNotContain(Backend.Requests, r => r.Path == "/long");
    }

    [Fact]
    public async Task Drain_OfOneSite_DoesNotWaitForARequestToAnotherSite()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("held done", context.RequestAborted);
        });
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, backend.Url);
        using var client = Client();

        var held = Task.Run(() => SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/held", r => r.Headers.Host = "b.test"));
        Assert.True(await Eventually.TrueAsync(() => backend.Requests.Any(r => r.Path == "/held"), TimeSpan.FromSeconds(10)));

        // A window for a.test stops nothing on its way to b.test: its drain has nothing to wait for.
        var down = await Scripts.DownAsync(proxy, "--site", "a.test", "--drain=8");
        var heldFinishedFirst = held.IsCompleted;
        release.SetResult();

        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
        Assert.Contains("Drained", down.Stdout, StringComparison.Ordinal);
        Assert.False(heldFinishedFirst, "the request to b.test finished before down.sh --site a.test --drain returned");
        using var response = await held;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Drain_OfTwoSites_WaitsForARequestToTheSecond()
    {
        await using var backend = await TestBackend.StartCountingFinishedAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, backend.Url);
        using var client = Client();
        var slow = SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/slow?ms=1500", r => r.Headers.Host = "b.test");
        Assert.True(await Eventually.TrueAsync(() => backend.Requests.Any(r => r.Path == "/slow"), TimeSpan.FromSeconds(10)), proxy.Output);

        // The admin surface is asked about every named site (?site=a.test&site=b.test), not the first only.
        var down = await Scripts.DownAsync(proxy, "--site", "a.test", "--site", "b.test", "--drain=20");

        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.True(backend.Finished == 1, $"down.sh --site a.test --site b.test --drain returned after {down.Elapsed} with a request to b.test still running at the backend");
        using var response = await slow;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Drain_WaitsForTheSlowRequest_AndFailsAtItsTimeout()
    {
        long slowFinishedAt = 0;
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            await context.Response.WriteAsync("slow done", context.RequestAborted);
            await context.Response.CompleteAsync();
            Interlocked.Exchange(ref slowFinishedAt, Stopwatch.GetTimestamp());
        });
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, backend.Url);
        using var client = Client();

        var slow = Task.Run(() => client.GetAsync(proxy.PublicUrl + "/slow?ms=2500"));
        Assert.True(await Eventually.TrueAsync(() => backend.Requests.Any(r => r.Path == "/slow"), TimeSpan.FromSeconds(10)));

        var down = await Scripts.DownAsync(proxy, "--drain=20");

        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.Contains("Drained", down.Stdout, StringComparison.Ordinal);
        var finishedAt = Interlocked.Read(ref slowFinishedAt);
        Assert.True(finishedAt != 0 && finishedAt <= down.ExitedAt, "down.sh --drain returned before the backend finished the slow request");
        Assert.True(down.Elapsed > TimeSpan.FromSeconds(1), $"drained in {down.Elapsed}");
        using (var response = await slow)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, (await Scripts.UpAsync(proxy)).ExitCode);
        var stuck = Task.Run(() => client.GetAsync(proxy.PublicUrl + "/slow?ms=6000"));
        Assert.True(await Eventually.TrueAsync(() => backend.Requests.Count(r => r.Path == "/slow") == 2, TimeSpan.FromSeconds(10)));
        var timedOut = await Scripts.DownAsync(proxy, "--drain=0.5");
        Assert.Equal(1, timedOut.ExitCode);
        Assert.Contains("1 request(s) were still in flight", timedOut.Stderr, StringComparison.Ordinal);
        (await stuck).Dispose();
    }

    [Theory]
    [InlineData("application/json", "application/json")]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html")]
    [InlineData("*/*", "text/plain")]
    [InlineData(null, "text/plain")]
    [InlineData("text/html;q=0.5, application/json", "application/json")]
    [InlineData("application/problem+json", "application/json")]
    public async Task Negotiation_SameStatusAndHeaders_BodyByAccept(string? accept, string expectedType)
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();
        await Down(proxy, "--reason", "db upgrade", "--retry-after", "120", "--site", "app");

        using var response = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/", r => { if (accept is not null) { r.Headers.TryAddWithoutValidation("Accept", accept); } });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("X-Maintenance-Mode").Single());
        Assert.Equal("120", response.Headers.GetValues("Retry-After").Single());
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.Equal(expectedType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType.CharSet);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("db upgrade", body, StringComparison.Ordinal);
        if (expectedType == "application/json")
        {
            var json = JsonDocument.Parse(body).RootElement;
            Assert.Equal(503, json.GetProperty("status").GetInt32());
            Assert.Equal(120, json.GetProperty("retryAfter").GetInt32());
            Assert.Equal("app", json.GetProperty("site").GetString());
        }
    }

    [Fact]
    public async Task Until_SetsHttpDateRetryAfterAndPageEta_ReasonIsHtmlEncoded()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();

        await Down(proxy, "--reason", "<script>alert(1)</script> & more", "--until", "2099-03-04T05:06:00Z");

        using var response = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/", r => r.Headers.Accept.ParseAdd("text/html"));
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal("Wed, 04 Mar 2099 05:06:00 GMT", response.Headers.GetValues("Retry-After").Single());
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert(1)", html, StringComparison.Ordinal);
        Assert.Contains("Expected back by 2099-03-04 05:06 UTC.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Until_IsTheJsonUntilInsteadOfRetryAfter_AndTheTextAnswersEta()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();
        await Down(proxy, "--until", "2099-03-04T05:06:00Z");

        using var json = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/", r => r.Headers.Accept.ParseAdd("application/json"));
        using var text = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/");

        var body = JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonValueKind.Null, body.GetProperty("retryAfter").ValueKind);
        Assert.Equal(new DateTimeOffset(2099, 3, 4, 5, 6, 0, TimeSpan.Zero), body.GetProperty("until").GetDateTimeOffset());
        Assert.Equal("text/plain", text.Content.Headers.ContentType!.MediaType);
        var lines = (await text.Content.ReadAsStringAsync()).Split('\n');
        Assert.Contains("Expected back by 2099-03-04 05:06 UTC.", lines);
        Assert.DoesNotContain(lines, line => line.StartsWith("Retry after", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Until_OncePassed_KeepsTheWindow_ButRetryAfterIsNoLongerADateInThePast()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();
        var until = DateTime.UtcNow.AddSeconds(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        await Down(proxy, "--reason", "migration", "--until", until);

        // Only up.sh ends the window; past its until, the answer says "retry in 300 s", not "retry now".
        string? retryAfter = null;
        var fellBack = await Eventually.TrueAsync(async () =>
        {
            using var response = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/", r => r.Headers.Accept.ParseAdd("application/json"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("1", response.Headers.GetValues("X-Maintenance-Mode").Single());
            retryAfter = response.Headers.GetValues("Retry-After").Single();
            if (retryAfter != "300")
            {
                return false;
            }

            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(300, json.GetProperty("retryAfter").GetInt32());
            Assert.Equal(JsonValueKind.Null, json.GetProperty("until").ValueKind);
            return true;
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(250));

        Assert.True(fellBack, $"Retry-After is still '{retryAfter}' after the window's until {until}");
        Assert.Empty(Backend.Requests);
    }

    [Theory]
    [InlineData("127.0.0.1", "https", true)]
    [InlineData("127.0.0.1", "http", false)]
    [InlineData("127.0.0.1", "https, http", true)]
    [InlineData("192.0.2.1", "https", false)]
    public async Task BypassCookie_BehindATrustedProxyEndingTls_IsSecure(string trustedProxy, string forwardedProto, bool secure)
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:TrustedProxies:0"] = trustedProxy });
        using var client = Client();
        await Down(proxy, "--secret=" + Secret);

        // The load balancer in front (127.0.0.1 here) ended TLS: the browser is on HTTPS.
        using var grant = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/" + Secret, r => r.Headers.Add("X-Forwarded-Proto", forwardedProto));
        using var viaHeader = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/x", r =>
        {
            r.Headers.Add("X-Forwarded-Proto", forwardedProto);
            r.Headers.Add("X-Maintenance-Bypass", Secret);
        });

        Assert.Equal(HttpStatusCode.Found, grant.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viaHeader.StatusCode);
        foreach (var cookie in new[] { grant, viaHeader }.Select(r => r.Headers.GetValues("Set-Cookie").Single()))
        {
            Assert.Contains("httponly", cookie, StringComparison.Ordinal);
            Assert.Equal(secure, cookie.Split("; ").Contains("secure"));
        }
    }

    [Fact]
    public async Task MalformedSentinel_FailsClosedWithDefaults_AndLogsTheProblem()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Client();

        await File.WriteAllTextAsync(proxy.SentinelPath, "{\"reason\": \"half written\n");
        var refresh = await new HttpClient().PostAsync(proxy.AdminUrl + "/refresh", null);
        var status = JsonDocument.Parse(await refresh.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("down", status.GetProperty("state").GetString());
        Assert.Contains("line 1", status.GetProperty("sentinelError").GetString(), StringComparison.Ordinal);
        using var response = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("300", response.Headers.GetValues("Retry-After").Single());
        Assert.True(await proxy.WaitForOutputAsync("could not be read as written", TimeSpan.FromSeconds(5)), proxy.Output);
        Assert.Contains(proxy.SentinelPath, proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowedPathPrefix_WrittenWithATrailingSlash_LetsItsPathsThrough()
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:AllowedPathPrefixes:0"] = "/backend-health/" });
        using var client = Client();
        await Down(proxy);

        using var allowed = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/backend-health/db");
        using var other = await SendAsync(client, HttpMethod.Get, proxy.PublicUrl + "/backend-healthy");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, other.StatusCode);
        Assert.Equal("/backend-health/db", Assert.Single(Backend.Requests).Path);
    }

    [Theory]
    [InlineData("Content-Length: 3\r\n\r\nabc", true)]
    [InlineData("Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", true)]
    [InlineData("Expect: 100-continue\r\nContent-Length: 3\r\n\r\nabc", true)]
    [InlineData("Content-Length: 9\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", false)] // framing in doubt: Kestrel closes after the first
    public async Task PipelinedRequest_AfterAnAllowedPathsBody_IsDecidedOnItsOwn(string framing, bool secondAnswered)
    {
        await using var proxy = await StartProxyAsync(new() { ["Maintenance:AllowedPathPrefixes:0"] = "/backend-health" });
        await Down(proxy);
        const string pipelined = "POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

        // One write: the second request follows the first's body on the connection, as a smuggler sends it.
        var answer = Encoding.ASCII.GetString(await RawHttp.ExchangeAsync(proxy.PublicPort,
            Encoding.ASCII.GetBytes("POST /backend-health/db HTTP/1.1\r\nHost: 127.0.0.1\r\n" + framing + pipelined)));

        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.Equal(secondAnswered, answer.Contains("HTTP/1.1 503", StringComparison.Ordinal));
        var forwarded = Assert.Single(Backend.Requests);
        Assert.Equal("/backend-health/db", forwarded.Path);
        Assert.Equal(3, forwarded.BodyLength);
        Assert.DoesNotContain(Backend.Requests, r => r.Path == "/orders");
    }

    [Fact]
    public async Task AllowedPath_WithAFragmentInTheTarget_GetsTheMaintenanceAnswer()
    {
        await using var proxy = await StartProxyAsync(new()
        {
            ["Maintenance:AllowedPathPrefixes:0"] = "/backend-health",
            ["Maintenance:AllowedPathPatterns:0"] = "^/static/.*\\.css$",
        });
        await Down(proxy);

        // A backend that ends the path at '#' would serve /static/site.js: not an allowed path.
        var fragment = await RawHttp.SendAsync(proxy.PublicPort, "GET /static/site.js#.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        var encoded = await RawHttp.SendAsync(proxy.PublicPort, "GET /static/a%23b.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        Assert.Equal(503, fragment.StatusCode);
        Assert.Equal("1", fragment.Header("X-Maintenance-Mode"));
        Assert.Equal(200, encoded.StatusCode);
        Assert.Equal("/static/a#b.css", Assert.Single(Backend.Requests).Path);
    }

    [Fact]
    public async Task HealthPathAndAllowedPaths_AreAnsweredDuringMaintenance()
    {
        await using var proxy = await StartProxyAsync(new()
        {
            ["Maintenance:AllowedPathPrefixes:0"] = "/backend-health",
            ["Maintenance:AllowedPathPatterns:0"] = "^/static/.*\\.css$",
        });
        using var client = Client();
        await Down(proxy);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(proxy.PublicUrl + "/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(proxy.PublicUrl + "/backend-health/db")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(proxy.PublicUrl + "/static/site.css")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(proxy.PublicUrl + "/static/site.js")).StatusCode);
        Assert.DoesNotContain(Backend.Requests, r => r.Path == "/healthz");

        var status = await Scripts.DownAsync(proxy, "--status");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("MaintProxy is DOWN", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 allowed-path", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 maintenance", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowedPaths_OnlyAsWritten_NotInAnotherCaseOrWithAControlCharacter()
    {
        await using var proxy = await StartProxyAsync(new()
        {
            ["Maintenance:AllowedPathPrefixes:0"] = "/backend-health",
            ["Maintenance:AllowedPathPatterns:0"] = "^/static/[^/]+\\.css$",
        });
        using var client = Client();
        await Down(proxy);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(proxy.PublicUrl + "/backend-health/db")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(proxy.PublicUrl + "/static/a.css")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(proxy.PublicUrl + "/static/a.css%0A")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(proxy.PublicUrl + "/backend-health/%0D")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(proxy.PublicUrl + "/BACKEND-HEALTH/db")).StatusCode);
        Assert.Equal(["/backend-health/db", "/static/a.css"], Backend.Requests.Select(r => r.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AllowedPaths_AnAbsoluteFormTargetIsJudgedByThePathTheBackendGets()
    {
        await using var proxy = await StartProxyAsync(new()
        {
            ["Maintenance:AllowedPathPrefixes:0"] = "/backend-health",
            ["Maintenance:AllowedPathPatterns:0"] = "^/static/.*\\.css$",
        });
        await Down(proxy);

        // Kestrel decodes %2F of an absolute-form path after it removed the dot segments; the HTTP
        // client towards the backend removes them afterwards: /admin.
        foreach (var target in new[] { "/backend-health/..%2Fadmin", "/backend-health/%2e%2e%2Fadmin", "/static/..%2F..%2Fadmin.css" })
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET http://127.0.0.1{target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.Equal(503, response.StatusCode);
        }

        var allowed = await RawHttp.SendAsync(proxy.PublicPort, "GET http://127.0.0.1/backend-health/x/..%2Fdb HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.Equal(200, allowed.StatusCode);
        Assert.Equal(["/backend-health/db"], Backend.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task AllowedPaths_ADotSegmentBehindABackslashOrAPathParameter_IsNotLetIn()
    {
        await using var proxy = await StartProxyAsync(new()
        {
            ["Maintenance:AllowedPathPrefixes:0"] = "/backend-health",
            ["Maintenance:AllowedPathPatterns:0"] = "^/static/.*\\.css$",
        });
        await Down(proxy);

        // Forwarded as they are, IIS, Tomcat or a normalising PHP router resolved each of them to /admin.
        foreach (var target in new[]
        {
            "/backend-health/..%5Cadmin", "/backend-health/..\\admin", "/backend-health/x%5C..%5C..%5Cadmin",
            "/backend-health/..;/admin", "/backend-health/..;x=1/admin", "/static/..;/..;/admin.css", "/static/..%5C..%5Cadmin.css",
        })
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.Equal(503, response.StatusCode);
        }

        var allowed = await RawHttp.SendAsync(proxy.PublicPort, "GET /backend-health/db;v=1%5Cx HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.Equal(200, allowed.StatusCode);
        Assert.Single(Backend.Requests);
    }

    [Fact]
    public async Task AllowedPaths_ADotSegmentBehindAnEncodedSlash_IsNotLetIn()
    {
        await using var proxy = await StartProxyAsync(new()
        {
            ["Maintenance:AllowedPathPrefixes:0"] = "/backend-health",
            ["Maintenance:AllowedPathPatterns:0"] = "^/static/.*\\.css$",
        });
        await Down(proxy);

        // Kestrel leaves %2F encoded in the path; a backend that gets the path as sent decodes it: /admin.
        foreach (var target in new[]
        {
            "/backend-health/..%2Fadmin", "/backend-health/..%2fadmin", "/backend-health/%2e%2e%2Fadmin", "/backend-health/.%2E%2fadmin",
            "/backend-health/x%2F..%2F..%2Fadmin", "/backend-health/..%5Cadmin", "/backend-health/..%2F..%5Cadmin", "/backend-health/..;%2Fadmin",
            "/static/..%2F..%2Fadmin.css", "/static/x%2F.%2F..%2F..%2Fadmin.css",
        })
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.True(response.StatusCode == 503, target);
            Assert.Equal("1", response.Header("X-Maintenance-Mode"));
        }

        var allowed = await RawHttp.SendAsync(proxy.PublicPort, "GET /backend-health/db%2Fmain HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.Equal(200, allowed.StatusCode);
        Assert.Single(Backend.Requests);
    }

    [Fact]
    public async Task AllowedPaths_AnEncodedPercentSignBeforeASlashIsText_NotASeparator()
    {
        await using var proxy = await StartProxyAsync(new()
        {
            ["Maintenance:AllowedPathPrefixes:0"] = "/backend-health",
            ["Maintenance:AllowedPathPatterns:0"] = "^/static/[^/]+\\.css$",
        });
        await Down(proxy);

        // A backend decodes the target once (nginx, Kestrel, php-fpm's PATH_INFO): %252F is the text "%2F" in one segment.
        var targets = new[] { "/backend-health/a%252F..%252Fb", "/backend-health/..%255Cx", "/static/a%252Fb.css", "/static/a%255Cb.css" };
        foreach (var target in targets)
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.True(response.StatusCode == 200, $"{target}: {response.StatusCode}");
        }

        Assert.Equal(targets, Backend.Requests.Select(r => r.RawTarget));

        // A real encoded slash beside an encoded percent sign still reads as a slash.
        foreach (var target in new[] { "/backend-health/..%2Fadmin%2525", "/static/a%2Fb%2525.css" })
        {
            var response = await RawHttp.SendAsync(proxy.PublicPort, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            Assert.True(response.StatusCode == 503, $"{target}: {response.StatusCode}");
        }
    }
}
