using System.Net;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

public sealed class MaintenanceMiddlewareTests : IAsyncLifetime
{
    private const string Page = "<!DOCTYPE html><title>test page</title><p>planned work</p>";
    private TestBackend _backend = null!;
    private InProcessProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        _proxy = new InProcessProxy(_backend.Url);
        await File.WriteAllTextAsync(_proxy.PagePath, Page);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("POST", "/api/orders?id=7")]
    [InlineData("PUT", "/deep/nested/path")]
    [InlineData("DELETE", "/x.php")]
    public async Task Down_AnyMethodAndPath_Gets503WithHeaderPageRetryAfterAndNoStore(string method, string path)
    {
        await File.WriteAllTextAsync(_proxy.SentinelPath, "");
        var client = _proxy.CreateClient();

        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : new StringContent("body") };
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", Assert.Single(response.Headers.GetValues("X-Maintenance-Mode")));
        Assert.Equal("300", Assert.Single(response.Headers.GetValues("Retry-After")));
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(Page, body);
        Assert.Equal(Encoding.UTF8.GetByteCount(Page), response.Content.Headers.ContentLength);
        Assert.Empty(_backend.Requests);
    }

    [Fact]
    public async Task Down_Head_GetsHeadersWithoutBody()
    {
        await File.WriteAllTextAsync(_proxy.SentinelPath, "");
        var client = _proxy.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Head, "/anything");
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", Assert.Single(response.Headers.GetValues("X-Maintenance-Mode")));
        Assert.Equal(Encoding.UTF8.GetByteCount(Page), response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Up_Request_IsForwardedUntouched()
    {
        var client = _proxy.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders/42?x=1") { Content = new StringContent("hello") };
        request.Headers.Add("X-Custom", "kept");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Maintenance-Mode"));
        Assert.Equal("backend ok /orders/42", await response.Content.ReadAsStringAsync());
        var seen = Assert.Single(_backend.Requests);
        Assert.Equal(("POST", "/orders/42", "?x=1", "kept", 5L), (seen.Method, seen.Path, seen.QueryString, seen.Header("X-Custom"), seen.BodyLength));
    }

    [Fact]
    public async Task RetryAfterSeconds_FromConfiguration_IsSent()
    {
        await using var proxy = new InProcessProxy(_backend.Url, new Dictionary<string, string> { ["Maintenance:RetryAfterSeconds"] = "42" });
        await File.WriteAllTextAsync(proxy.SentinelPath, "");

        using var response = await proxy.CreateClient().GetAsync("/");

        Assert.Equal("42", Assert.Single(response.Headers.GetValues("Retry-After")));
    }

    [Fact]
    public async Task Page_ChangedOnDisk_IsServedWithoutRestart()
    {
        await File.WriteAllTextAsync(_proxy.SentinelPath, "");
        var client = _proxy.CreateClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        Assert.Equal(Page, await (await client.GetAsync("/")).Content.ReadAsStringAsync());

        await File.WriteAllTextAsync(_proxy.PagePath, "<p>new page</p>");

        Assert.True(await Eventually.TrueAsync(
            async () => await (await client.GetAsync("/")).Content.ReadAsStringAsync() == "<p>new page</p>",
            TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Page_Missing_ServesBuiltInPageAndLogsWarning()
    {
        File.Delete(_proxy.PagePath);
        await File.WriteAllTextAsync(_proxy.SentinelPath, "");

        var client = _proxy.CreateClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Down for maintenance", await response.Content.ReadAsStringAsync());
        Assert.True(_proxy.Logs.Contains(LogLevel.Warning, "serving the built-in page"));
    }
}
