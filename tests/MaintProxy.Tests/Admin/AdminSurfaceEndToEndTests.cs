using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Admin;

public sealed class AdminSurfaceEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task AdminPaths_OnThePublicListener_AreForwardedNotAnswered()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url);
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, proxy.PublicUrl + "/refresh");
        request.Headers.Host = $"127.0.0.1:{proxy.AdminPort}";

        using var response = await client.SendAsync(request);

        Assert.Equal("backend ok /refresh", await response.Content.ReadAsStringAsync());
        Assert.Contains(Backend.Requests, r => r.Path == "/refresh");
    }

    [Theory]
    [InlineData("rebound.example", HttpStatusCode.BadRequest)]
    [InlineData("rebound.example:{0}", HttpStatusCode.BadRequest)]
    [InlineData("localhost:{0}", HttpStatusCode.OK)]
    [InlineData("127.0.0.1:{0}", HttpStatusCode.OK)]
    [InlineData("[::1]:{0}", HttpStatusCode.OK)]
    public async Task AdminListener_AnswersOnlyRequestsAddressedToLoopback(string host, HttpStatusCode expected)
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url);
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, proxy.AdminUrl + "/status");
        request.Headers.Host = string.Format(System.Globalization.CultureInfo.InvariantCulture, host, proxy.AdminPort);

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.Contains("addressed to 127.0.0.1, [::1] or localhost only", body, StringComparison.Ordinal);
            Assert.DoesNotContain("sentinel", body, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Status_OnTheAdminListener_ReportsStateAndSentinel()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url);

        var status = await proxy.StatusAsync();

        Assert.Equal("up", status.GetProperty("state").GetString());
        Assert.Equal(proxy.SentinelPath, status.GetProperty("sentinelPath").GetString());
    }

    [Fact]
    public async Task Status_Since_IsWhenTheCurrentSentinelWasApplied_AndStaysUntilTheNextChange()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url);
        var atStart = (await proxy.StatusAsync()).GetProperty("since").GetDateTimeOffset();

        var beforeDown = DateTimeOffset.UtcNow;
        var down = await Scripts.DownAsync(proxy);
        Assert.True(down.ExitCode == 0, down.Stderr);
        var afterDown = DateTimeOffset.UtcNow;
        var first = await proxy.StatusAsync();
        var second = await proxy.StatusAsync();

        Assert.True(atStart <= beforeDown, $"since at start {atStart:O} is after the switch began {beforeDown:O}");
        var since = first.GetProperty("since").GetDateTimeOffset();
        Assert.InRange(since, beforeDown, afterDown);
        Assert.Equal(since, second.GetProperty("since").GetDateTimeOffset());
        Assert.Equal("down", second.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Status_ReportsEachWindowByTheIdAndSiteItsSentinelLineGives()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url);
        await File.WriteAllTextAsync(proxy.SentinelPath,
            "{\"id\":\"night-work-7\",\"site\":\"shop.example.org\",\"reason\":\"schema change\"}\n{\"id\":\"all-sites-2\"}\n");
        using var client = new HttpClient();
        (await client.PostAsync(proxy.AdminUrl + "/refresh", null)).Dispose();

        var windows = (await proxy.StatusAsync()).GetProperty("windows").EnumerateArray()
            .Select(w => (w.GetProperty("id").GetString(), w.GetProperty("site").GetString()))
            .ToList();

        Assert.Equal([("night-work-7", "shop.example.org"), ("all-sites-2", "*")], windows);
    }

    [Fact]
    public async Task Status_CountsEachKindOfAnswer()
    {
        const string Secret = "counted-secret-0123456789";
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["Maintenance:AllowedPathPrefixes:0"] = "/backend-health" });
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(proxy.PublicUrl + "/before")).StatusCode);
        var down = await Scripts.DownAsync(proxy, "--secret=" + Secret);
        Assert.True(down.ExitCode == 0, down.Stderr);

        // A different count for each kind, so that two counts reported in each other's place are seen.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(proxy.PublicUrl + "/page")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Found, (await client.GetAsync(proxy.PublicUrl + "/" + Secret)).StatusCode);
        using var bypass = new HttpRequestMessage(HttpMethod.Get, proxy.PublicUrl + "/admin-work");
        bypass.Headers.Add("X-Maintenance-Bypass", Secret);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(bypass)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(proxy.PublicUrl + "/backend-health")).StatusCode);

        var answers = (await proxy.StatusAsync()).GetProperty("answers");
        Assert.Equal(
            (1L, 3L, 2L, 1L), // forwarded, maintenance, bypassed, allowed-path
            (answers.GetProperty("forwarded").GetInt64(), answers.GetProperty("maintenance").GetInt64(),
                answers.GetProperty("bypassed").GetInt64(), answers.GetProperty("allowedPath").GetInt64()));
        using var admin = new HttpClient();
        Assert.Contains("Answers: 1 forwarded, 3 maintenance, 2 bypassed, 1 allowed-path\n", await admin.GetStringAsync(proxy.AdminUrl + "/status?format=text"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusText_SaysTheSentinelIsAbsent_TheRequestsInFlight_AndASentinelError()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("held done", context.RequestAborted);
        });
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, backend.Url);
        using var client = new HttpClient();
        var absent = await client.GetStringAsync(proxy.AdminUrl + "/status?format=text");

        var held = client.GetAsync(proxy.PublicUrl + "/held");
        Assert.True(await Eventually.TrueAsync(() => backend.Requests.Any(r => r.Path == "/held"), TimeSpan.FromSeconds(10)), "the request did not reach the backend");
        var inFlight = await client.GetStringAsync(proxy.AdminUrl + "/status?format=text");
        release.SetResult();
        (await held).Dispose();
        await File.WriteAllTextAsync(proxy.SentinelPath, "{\"reason\": \"half written\n");
        (await client.PostAsync(proxy.AdminUrl + "/refresh", null)).Dispose();
        var broken = await client.GetStringAsync(proxy.AdminUrl + "/status?format=text");

        Assert.Contains($"Sentinel: {proxy.SentinelPath} (absent)\n", absent, StringComparison.Ordinal);
        Assert.Contains("In flight: none\n", absent, StringComparison.Ordinal);
        Assert.Contains("In flight: 1 to app\n", inFlight, StringComparison.Ordinal);
        Assert.Contains($"Sentinel: {proxy.SentinelPath}\n", broken, StringComparison.Ordinal);
        Assert.Matches(@"\nSentinel error: .*line 1.* \(failing closed: everything down\)\n", broken);
    }

    [Fact]
    public async Task Refresh_ReReadsThePageNow_EvenWhenNoChangeWasNoticed()
    {
        // The page's folder replaced by another: its watcher still watches the old one, and the next
        // check is a minute away. down.sh's POST /refresh must show the page as it is now.
        var pages = Directory.CreateDirectory(Dir.File("pages")).FullName;
        var page = Path.Combine(pages, "maint.html");
        await File.WriteAllTextAsync(page, "<p>first page</p>");
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["Maintenance:PagePath"] = page,
            ["Maintenance:FilePollInterval"] = "00:01:00",
        });
        Assert.Equal(0, (await Scripts.DownAsync(proxy)).ExitCode);
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        Assert.Contains("first page", await (await client.GetAsync(proxy.PublicUrl + "/")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Directory.Move(pages, Dir.File("pages-before"));
        Directory.CreateDirectory(pages);
        await File.WriteAllTextAsync(page, "<p>second page</p>");
        using var refresh = await client.PostAsync(proxy.AdminUrl + "/refresh", null);
        using var after = await client.GetAsync(proxy.PublicUrl + "/");

        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, after.StatusCode);
        Assert.Contains("second page", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:{0}")]
    [InlineData("http://192.0.2.1:{0}")]
    [InlineData("https://127.0.0.1:{0}")]
    public async Task AdminUrl_NotLoopback_RefusesToStart(string url)
    {
        var adminUrl = string.Format(System.Globalization.CultureInfo.InvariantCulture, url, FreePort.Next());
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["Admin:Url"] = adminUrl });

        Assert.Contains("MaintProxy cannot start: Admin:Url", output, StringComparison.Ordinal);
        Assert.Contains("loopback", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://[::1]:0")]
    public async Task AdminUrl_PortZero_RefusesToStart(string adminUrl)
    {
        // Port 0 would bind a port chosen by the system, which the scripts cannot know.
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["Admin:Url"] = adminUrl });

        Assert.Contains("MaintProxy cannot start: Admin:Url needs a fixed port: the scripts must know where to ask.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminUrl_WithAPath_RefusesToStart()
    {
        // The scripts refuse such a URL: the proxy would listen at its root and ignore the path.
        var adminUrl = $"http://127.0.0.1:{FreePort.Next()}/admin";
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["Admin:Url"] = adminUrl });

        Assert.Contains($"MaintProxy cannot start: Admin:Url '{adminUrl}' is not http://HOST:PORT: a listener has no path", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminUrl_WithAnEmptyPort_RefusesToStartSayingThePortIsMissing()
    {
        // Read as a URL it is port 80: the status surface would listen there, and the scripts ask elsewhere.
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["Admin:Url"] = "http://127.0.0.1:" });

        Assert.Contains("MaintProxy cannot start: Admin:Url 'http://127.0.0.1:' has no port after the ':'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminPortInUse_ExitsOneWithAPlainMessage()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["Admin:Url"] = $"http://127.0.0.1:{port}" });

        Assert.Contains("MaintProxy cannot start: Failed to bind", output, StringComparison.Ordinal);
    }
}
