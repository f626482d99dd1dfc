using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>The built proxy in front of a real php-fpm 8.2, over real loopback sockets.</summary>
public sealed class PhpFpmEndToEndTests(PhpFpmFixture fixture) : IClassFixture<PhpFpmFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Get_QueryAndPathInfo_PhpSeesNginxStyleParams()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/info.php/extra/path?x=1&y=a%20b");
        request.Headers.TryAddWithoutValidation("X-Custom", "custom-value");
        request.Headers.TryAddWithoutValidation("Proxy", "http://evil.example:3128");
        request.Headers.TryAddWithoutValidation("X_Under_Score", "dropped");

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var server = json.GetProperty("server");
        Assert.Equal("/info.php", server.GetProperty("SCRIPT_NAME").GetString());
        Assert.Equal(Path.Combine(fixture.Fpm.DocumentRoot, "info.php"), server.GetProperty("SCRIPT_FILENAME").GetString());
        Assert.Equal("/extra/path", server.GetProperty("PATH_INFO").GetString());
        Assert.Equal("x=1&y=a%20b", server.GetProperty("QUERY_STRING").GetString());
        Assert.Equal("/info.php/extra/path?x=1&y=a%20b", server.GetProperty("REQUEST_URI").GetString());
        Assert.Equal("GET", server.GetProperty("REQUEST_METHOD").GetString());
        Assert.Equal("HTTP/1.1", server.GetProperty("SERVER_PROTOCOL").GetString());
        Assert.Equal($"127.0.0.1:{fixture.Proxy.PublicPort}", server.GetProperty("HTTP_HOST").GetString());
        Assert.Equal("127.0.0.1", server.GetProperty("REMOTE_ADDR").GetString());
        Assert.Equal(fixture.Proxy.PublicPort.ToString(System.Globalization.CultureInfo.InvariantCulture), server.GetProperty("SERVER_PORT").GetString());
        Assert.Equal("custom-value", server.GetProperty("HTTP_X_CUSTOM").GetString());
        Assert.Equal(JsonValueKind.Null, server.GetProperty("HTTP_PROXY").ValueKind);
        Assert.Equal(JsonValueKind.Null, server.GetProperty("HTTP_X_UNDER_SCORE").ValueKind);
        Assert.Equal("test", server.GetProperty("APP_ENV").GetString());
        Assert.Equal("a b", json.GetProperty("get").GetProperty("y").GetString());
    }

    [Fact]
    public async Task Get_EncodedSlashInPathInfo_PhpSeesItDecodedAsBehindNginx_AndTheTargetAsSent()
    {
        var asWritten = new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true };

        using var response = await Client.GetAsync(new Uri(fixture.Proxy.PublicUrl + "/info.php/group%2Fproject/a%252Fb?x=%2F", in asWritten));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var server = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("server");
        Assert.Equal("/info.php", server.GetProperty("SCRIPT_NAME").GetString());
        Assert.Equal("/group/project/a%2Fb", server.GetProperty("PATH_INFO").GetString());
        Assert.Equal("/info.php/group%2Fproject/a%252Fb?x=%2F", server.GetProperty("REQUEST_URI").GetString());
        Assert.Equal("x=%2F", server.GetProperty("QUERY_STRING").GetString());
    }

    [Theory]
    [InlineData("/x/..%2Finfo.php")]
    [InlineData("/info.php/..%2F..%2Fetc")]
    public async Task Get_DotSegmentBehindAnEncodedSlash_IsRefused(string target)
    {
        var asWritten = new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true };

        using var response = await Client.GetAsync(new Uri(fixture.Proxy.PublicUrl + target, in asWritten));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Get_ScriptNameWithEncodedTrailingNewline_DoesNotRunTheScript()
    {
        using var response = await Client.GetAsync("/info.php%0a");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("//info.php")]
    [InlineData("//info.php/tail")]
    public async Task Get_ScriptNameWithAnEmptySegment_Is404WithoutAskingPhpFpm(string path)
    {
        using var response = await Client.GetAsync(new Uri(fixture.Proxy.PublicUrl + path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(FastCgiPeer.AccessLog(fixture.Dir), line => line.Contains("//info.php", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Get_QueryAsTheClientSentIt_IsTheQueryString()
    {
        // Bytes an HttpClient would escape: sent as they are over a plain socket.
        const string Query = "a=%41&c=%ZZ&q=\"x\"&r=<>";

        var (status, body) = await RawGetAsync(fixture.Proxy.PublicPort, "/info.php?" + Query);

        Assert.Equal(200, status);
        var server = JsonDocument.Parse(body).RootElement.GetProperty("server");
        Assert.Equal(Query, server.GetProperty("QUERY_STRING").GetString());
        Assert.Equal("/info.php?" + Query, server.GetProperty("REQUEST_URI").GetString());
    }

    [Fact]
    public async Task Get_AbsoluteFormTarget_RequestUriIsItsPathAndQuery()
    {
        // As nginx's $request_uri: the scheme and authority of "GET http://host/path" are not part of it.
        var (status, body) = await RawGetAsync(fixture.Proxy.PublicPort, $"http://127.0.0.1:{fixture.Proxy.PublicPort}/info.php/tail?x=1");

        Assert.Equal(200, status);
        var server = JsonDocument.Parse(body).RootElement.GetProperty("server");
        Assert.Equal("/info.php/tail?x=1", server.GetProperty("REQUEST_URI").GetString());
        Assert.Equal("/tail", server.GetProperty("PATH_INFO").GetString());
    }

    [Fact]
    public async Task Get_RouteWithQueryTransform_QueryStringHasTheTransformsParameter()
    {
        using var response = await Client.GetAsync("/tagged/info.php?a=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var server = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("server");
        Assert.Equal("/info.php", server.GetProperty("SCRIPT_NAME").GetString());
        Assert.Equal("a=1&from=tagged", server.GetProperty("QUERY_STRING").GetString());
        Assert.Equal("/tagged/info.php?a=1", server.GetProperty("REQUEST_URI").GetString());
    }

    [Fact]
    public async Task Post_Form_FieldsReachPhp()
    {
        using var content = new FormUrlEncodedContent([new("name", "Zoë"), new("qty", "3")]);

        using var response = await Client.PostAsync("/info.php", content);

        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Zoë", json.GetProperty("post").GetProperty("name").GetString());
        Assert.Equal("3", json.GetProperty("post").GetProperty("qty").GetString());
        Assert.Equal("application/x-www-form-urlencoded", json.GetProperty("server").GetProperty("CONTENT_TYPE").GetString());
    }

    [Fact]
    public async Task Post_MultiMegabyteUpload_IsBufferedAndPhpEchoesTheChecksum()
    {
        // Over the 1 MiB kept in memory: buffered in a temporary file, then sent.
        var body = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 13);

        using var response = await Client.PostAsync("/upload.php", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{body.Length} {Convert.ToHexStringLower(SHA256.HashData(body))}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_ChunkedUploadUnderTheCap_IsBufferedAndArrivesWhole()
    {
        var body = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 5);
        using var content = new StreamContent(new MemoryStream(body));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload.php") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{body.Length} {Convert.ToHexStringLower(SHA256.HashData(body))}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_DeclaredLengthOverTheCap_Gets413BeforeAnyWorkerIsUsed()
    {
        using var content = new ByteArrayContent(new byte[PhpFpmFixture.BufferCap + 1]);

        using var response = await Client.PostAsync("/upload.php", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Maintenance-Mode"));
    }

    [Fact]
    public async Task Post_ChunkedUploadOverTheCap_Gets413()
    {
        using var content = new StreamContent(new MemoryStream(new byte[PhpFpmFixture.BufferCap + 1]));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload.php") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Get_LargeDownload_StreamsWholeWithFlatProxyMemory()
    {
        const int Megabytes = 1024;
        var before = FastCgiProxy.PeakResidentBytes(fixture.Proxy.Pid);
        var block = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789abcdef", 65536)));
        using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < Megabytes; i++)
        {
            expected.AppendData(block);
        }

        using var response = await Client.GetAsync($"/download.php?mb={Megabytes}", HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var actual = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            actual.AppendData(buffer, 0, read);
            total += read;
        }

        Assert.Equal((long)Megabytes * block.Length, total);
        Assert.Equal(expected.GetHashAndReset(), actual.GetHashAndReset());
        var growth = FastCgiProxy.PeakResidentBytes(fixture.Proxy.Pid) - before;
        Assert.True(growth < 64 * 1024 * 1024, $"the proxy's peak memory grew by {growth / (1024 * 1024)} MiB for a {Megabytes} MiB download");
    }

    [Fact]
    public async Task Get_StatusFromHeader_IsForwarded()
    {
        using var response = await Client.GetAsync("/status.php?code=418");

        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal("set-by-php", response.Headers.GetValues("X-Reason").Single());
        Assert.Equal("status 418", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_LocationWithoutStatus_Is302()
    {
        using var response = await Client.GetAsync("/status.php?location=/elsewhere");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/elsewhere", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Cookies_BothWays_ReachPhpAndTheClient()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/info.php");
        request.Headers.TryAddWithoutValidation("Cookie", "sent=abc; other=1");

        using var response = await Client.SendAsync(request);

        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("abc", json.GetProperty("cookie").GetProperty("sent").GetString());
        Assert.Equal("1", json.GetProperty("cookie").GetProperty("other").GetString());
        var setCookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(setCookies, c => c.StartsWith("from_php=yes-abc", StringComparison.Ordinal));
        Assert.Contains(setCookies, c => c.StartsWith("second=two", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stderr_LinesReachTheProxyLogWithClusterAndDestination()
    {
        var id = Guid.NewGuid().ToString("N");

        using var response = await Client.GetAsync($"/stderr.php?id={id}");

        Assert.Equal("logged", await response.Content.ReadAsStringAsync());
        // A warning: this proxy logs MaintProxy.FastCgi at Debug, the default level (Information) would hide a lower one.
        Assert.True(await fixture.Proxy.WaitForOutputAsync($"WRN] FastCGI stderr from cluster app destination {fixture.Fpm.Address}: PHP message: stderr-marker {id}", TimeSpan.FromSeconds(5)),
            fixture.Proxy.Output);
    }

    [Fact]
    public async Task SequentialRequests_ReuseFewConnections()
    {
        var port = ((IPEndPoint)fixture.Fpm.EndPoint).Port;
        (await Client.GetAsync("/hello.php")).Dispose();
        var before = LoopbackConnections.ClientPortsTo(port);
        var workers = new HashSet<string>();

        for (var i = 0; i < 100; i++)
        {
            using var response = await Client.GetAsync("/hello.php");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            workers.Add(await response.Content.ReadAsStringAsync());
        }

        var opened = LoopbackConnections.ClientPortsTo(port).Except(before).ToList();
        Assert.True(opened.Count <= 1, $"{opened.Count} new connections to php-fpm for 100 sequential requests");

        // The pool takes the connection idle the longest, so the requests go round the kept ones; each keeps its worker.
        var kept = LoopbackConnections.ClientPortsTo(port, establishedOnly: true).Count;
        Assert.True(workers.Count <= kept, $"{workers.Count} different workers answered over {kept} kept connections: {string.Join(", ", workers)}");
    }

    [Fact]
    public async Task ConcurrentRequests_NeverOpenMoreConnectionsThanWorkers()
    {
        var port = ((IPEndPoint)fixture.Fpm.EndPoint).Port;
        var before = LoopbackConnections.ClientPortsTo(port);
        var seen = new HashSet<int>();
        var peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var now = LoopbackConnections.ClientPortsTo(port, establishedOnly: true);
                peak = Math.Max(peak, now.Count);
                seen.UnionWith(now);
                await Task.Delay(2);
            }
        });

        var requests = Enumerable.Range(0, 16).Select(async _ =>
        {
            for (var i = 0; i < 25; i++)
            {
                using var response = await Client.GetAsync("/hello.php");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        });
        await Task.WhenAll(requests);
        await sampling.CancelAsync();
        await sampler;

        seen.UnionWith(LoopbackConnections.ClientPortsTo(port));
        seen.ExceptWith(before);
        Assert.True(peak >= 1, "no connection to php-fpm was ever seen");
        Assert.True(peak <= PhpFpmFixture.Workers, $"{peak} connections to php-fpm were open at once");
        Assert.True(seen.Count <= PhpFpmFixture.Workers, $"{seen.Count} new connections to php-fpm for 400 requests");
    }

    [Fact]
    public async Task ActiveHealthCheck_ProbesPingPathThroughTheTransport_DestinationIsHealthy()
    {
        Assert.True(await Eventually.TrueAsync(
            () => FastCgiPeer.AccessLog(fixture.Dir).Any(line => line == "GET /ping 200"), TimeSpan.FromSeconds(10)),
            string.Join('\n', FastCgiPeer.AccessLog(fixture.Dir).TakeLast(20)));
        Assert.True(await fixture.Proxy.WaitForOutputAsync("Active health state of destination `app` on cluster `app` is set to 'Healthy'", TimeSpan.FromSeconds(10)),
            fixture.Proxy.Output);
    }

    [Theory]
    [InlineData("/status?full")]
    [InlineData("/status?json&full")]
    [InlineData("/ping")]
    [InlineData("/favicon.ico")]
    public async Task Get_PathNamingNoScript_Is404WithoutAskingPhpFpm(string target)
    {
        var before = FastCgiPeer.AccessLog(fixture.Dir).Length;

        using var response = await Client.GetAsync(target);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        var path = target.Split('?')[0];
        Assert.DoesNotContain(FastCgiPeer.AccessLog(fixture.Dir).Skip(before), line => line.Contains(path, StringComparison.Ordinal));
    }

    /// <summary>One HTTP/1.0 GET with the target's bytes as given; the status and the body.</summary>
    private static async Task<(int Status, string Body)> RawGetAsync(int port, string target)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"));
        using var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        var text = Encoding.UTF8.GetString(received.ToArray());
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var status = int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        return (status, text[(headEnd + 4)..]);
    }
}
