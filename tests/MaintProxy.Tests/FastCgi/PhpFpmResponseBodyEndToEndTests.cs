using System.Net;

namespace MaintProxy.Tests.FastCgi;

/// <summary>How the built proxy frames the bodies of php-fpm's answers for the client.</summary>
public sealed class PhpFpmResponseBodyEndToEndTests(PhpFpmFixture fixture) : IClassFixture<PhpFpmFixture>
{
    private HttpClient Client => fixture.Client;

    [Theory]
    [InlineData(204, 1)]
    [InlineData(304, 1)]
    [InlineData(204, 100_000)]
    public async Task Get_NoContentStatusWithScriptOutput_AnsweredWithoutBody_AsNginxDoes(int code, int repeat)
    {
        using var response = await Client.GetAsync($"/nocontent.php?code={code}&repeat={repeat}");

        Assert.Equal((HttpStatusCode)code, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        using var next = await Client.GetAsync("/hello.php");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.DoesNotContain($"GET /nocontent.php → {code} client-error", fixture.Proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ScriptWritesMoreThanItsContentLength_ClientGetsTheAnnouncedBytes()
    {
        using var response = await Client.GetAsync("/length.php?declared=5&actual=10");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5, response.Content.Headers.ContentLength);
        Assert.Equal("xxxxx", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_ScriptWritesLessThanItsContentLength_ClientSeesABrokenAnswerAndTheLogSaysProxyError()
    {
        var path = $"/length.php/{Guid.NewGuid():N}";

        using var response = await Client.GetAsync($"{path}?declared=10&actual=5", HttpCompletionOption.ResponseHeadersRead);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => response.Content.ReadAsByteArrayAsync());

        Assert.True(await fixture.Proxy.WaitForOutputAsync($"GET {path} → 200 proxy-error", TimeSpan.FromSeconds(5)), fixture.Proxy.Output);
        Assert.Contains("the FastCGI response ended after 5 of the 10 bytes its Content-Length announced", fixture.Proxy.Output, StringComparison.Ordinal);
        using var next = await Client.GetAsync("/hello.php");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }
}
