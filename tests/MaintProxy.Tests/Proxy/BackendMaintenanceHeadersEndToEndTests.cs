using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// Only the proxy says "planned maintenance": a backend's own 503 reaches the client as the backend
/// wrote it (status, <c>Retry-After</c>, body), logged as forwarded, but without the maintenance
/// headers the backend added, which would make its outage look planned.
/// </summary>
public sealed class BackendMaintenanceHeadersEndToEndTests : EndToEndTest
{
    private protected override Func<HttpContext, Task> BackendHandler => static async context =>
    {
        if (context.Request.Query["only"] is [{ } only])
        {
            context.Response.Headers[only] = "1";
            await context.Response.WriteAsync("one header");
            return;
        }

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "120";
        context.Response.Headers["X-Maintenance-Mode"] = "1";
        context.Response.Headers["X-Maintenance-Scope"] = "read-only";
        context.Response.Headers["X-Maintenance-Bypassed"] = "maintenance is on for everyone else";
        context.Response.Headers["X-App"] = "kept";
        await context.Response.WriteAsync("backend busy");
    };

    [Fact]
    public async Task BackendOwn503_PassesUnchanged_WithoutMaintenanceHeaders_LoggedAsForwarded()
    {
        await using var proxy = await StartProxyAsync();
        using var client = new HttpClient();

        using var response = await client.GetAsync(proxy.PublicUrl + "/orders");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("120", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("kept", response.Headers.GetValues("X-App").Single());
        Assert.Equal("backend busy", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("X-Maintenance-Mode"));
        Assert.False(response.Headers.Contains("X-Maintenance-Scope"));
        Assert.False(response.Headers.Contains("X-Maintenance-Bypassed"));
        Assert.True(await proxy.WaitForOutputAsync("GET /orders → 503 forwarded", TimeSpan.FromSeconds(5)), proxy.Output);
    }

    [Theory]
    [InlineData("X-Maintenance-Scope")]
    [InlineData("X-Maintenance-Bypassed")]
    public async Task BackendAnswerWithOneMaintenanceHeaderOnly_LosesIt(string header)
    {
        await using var proxy = await StartProxyAsync();
        using var client = new HttpClient();

        using var response = await client.GetAsync(proxy.PublicUrl + "/orders?only=" + header);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("one header", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains(header));
    }
}
