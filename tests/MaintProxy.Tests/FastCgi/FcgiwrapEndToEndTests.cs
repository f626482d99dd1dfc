using System.Net;
using System.Security.Cryptography;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// A second, independent FastCGI server: fcgiwrap (libfcgi, C) running a Perl CGI script, under
/// spawn-fcgi. The transport must not be tuned to php-fpm.
/// </summary>
public sealed class FcgiwrapEndToEndTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private FastCgiPeer _fcgiwrap = null!;
    private ProxyProcess _proxy = null!;

    public async Task InitializeAsync()
    {
        _fcgiwrap = await FastCgiPeer.StartFcgiwrapAsync(_dir);
        _proxy = await FastCgiProxy.StartAsync(_dir, _fcgiwrap, 1, TimeSpan.FromSeconds(10), new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:app:Metadata:FastCGI.SplitPathInfo"] = @"^(.+?\.cgi)(/.*)?$",
        });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
        await _fcgiwrap.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Get_PathInfoQueryStatusAndCookies_Work()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _proxy.PublicUrl + "/echo.cgi/some/info?code=201&x=y");
        request.Headers.TryAddWithoutValidation("Cookie", "c=3");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("cgi=1", response.Headers.GetValues("Set-Cookie").Single());
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        Assert.Contains("REQUEST_METHOD=GET", lines);
        Assert.Contains("SCRIPT_NAME=/echo.cgi", lines);
        Assert.Contains("PATH_INFO=/some/info", lines);
        Assert.Contains("QUERY_STRING=code=201&x=y", lines);
        Assert.Contains($"HTTP_HOST=127.0.0.1:{_proxy.PublicPort}", lines);
        Assert.Contains("HTTP_COOKIE=c=3", lines);
    }

    [Fact]
    public async Task Post_Upload_ChecksumMatches()
    {
        var body = RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 7);

        using var response = await _client.PostAsync(_proxy.PublicUrl + "/echo.cgi", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"BODY={body.Length} {Convert.ToHexStringLower(SHA256.HashData(body))}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SequentialRequests_OneKeptConnection_AllSucceedAndStderrIsLogged()
    {
        var port = ((IPEndPoint)_fcgiwrap.EndPoint).Port;
        var before = LoopbackConnections.ClientPortsTo(port);
        for (var i = 0; i < 20; i++)
        {
            using var response = await _client.GetAsync(_proxy.PublicUrl + $"/echo.cgi?n={i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var opened = LoopbackConnections.ClientPortsTo(port).Except(before).Count();
        Assert.True(opened <= 1, $"{opened} connections to fcgiwrap for 20 sequential requests");

        Assert.True(await _proxy.WaitForOutputAsync($"FastCGI stderr from cluster app destination {_fcgiwrap.Address}: cgi-stderr-marker n=19", TimeSpan.FromSeconds(5)), _proxy.Output);
    }
}
