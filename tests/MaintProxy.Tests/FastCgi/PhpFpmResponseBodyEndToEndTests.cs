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
}
