using System.Globalization;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Listeners;

/// <summary>
/// A public listener's URL that cannot be listened on as written stops the start with one line naming
/// the key (Kestrel alone aborts the process, or listens on every interface for a misspelt address).
/// </summary>
public sealed class PublicEndpointUrlEndToEndTests : EndToEndTest
{
    [Theory]
    [InlineData("garbage", "is not a URL to listen on")]
    [InlineData("http://127.0.0.1:99999", "has a port outside 0 to 65535")]
    [InlineData("http://127.0.0.l:{0}", "does not name an address: Kestrel would listen on every interface for it")]
    [InlineData("http://127.0.0.1:{0}/shop", "has a path")]
    [InlineData("ftp://127.0.0.1:{0}", "must start with http:// or https://.")]
    [InlineData("http://127.0.0.1:", "has no port after the ':'")]
    [InlineData("http://[::1]:", "has no port after the ':'")]
    public async Task UrlThatCannotBeListenedOnAsWritten_RefusesToStartNamingTheKey(string url, string problem)
    {
        url = string.Format(CultureInfo.InvariantCulture, url, FreePort.Next());

        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Public:Url"] = url,
        });

        Assert.Contains($"MaintProxy cannot start: Kestrel:Endpoints:Public:Url '{url}' {problem}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddressNotOfThisMachine_RefusesToStartInOneLineSayingWhatToDo()
    {
        // TEST-NET-1 (RFC 5737): never an address of this machine, and nothing is sent to it.
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Public:Url"] = $"http://192.0.2.1:{FreePort.Next()}",
        });

        Assert.Contains("MaintProxy cannot start: Failed to bind to address 192.0.2.1:", output, StringComparison.Ordinal);
        Assert.Contains("the address is not one of this machine's", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortBelow1024WithoutThePermission_RefusesToStartInOneLineSayingWhatToDo()
    {
        // The kernel refuses the port before it looks whether anyone listens there: nothing is bound.
        const int port = 949;
        if (!Environment.IsPrivilegedProcess || UnprivilegedPortStart() <= port)
        {
            return; // the proxy runs as nobody only when the tests run as root
        }

        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Public:Url"] = $"http://127.0.0.1:{port}",
        }, asNobody: true);

        Assert.Contains($"MaintProxy cannot start: Failed to bind to address 127.0.0.1:{port}: permission denied", output, StringComparison.Ordinal);
        Assert.Contains("CAP_NET_BIND_SERVICE", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private static int UnprivilegedPortStart() =>
        int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_unprivileged_port_start").Trim(), CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("Kestrel:Endpoints:Public:Protocols", "Htp2")]
    [InlineData("Kestrel:Endpoints:Public:Protocols", "h2c")]
    [InlineData("Kestrel:EndpointDefaults:Protocols", "HTTP/2")]
    public async Task ProtocolsKestrelCannotRead_RefusesToStartNamingTheKey(string key, string value)
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { [key] = value });

        Assert.Contains($"MaintProxy cannot start: {key} '{value}' is not a protocol Kestrel serves", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProtocolsHttp2_OnAPlainListener_ServesHttp2WithoutTls()
    {
        await using var proxy = await StartProxyAsync(new() { ["Kestrel:Endpoints:Public:Protocols"] = "http2" });
        using var client = new HttpClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, proxy.PublicUrl + "/h2c")
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(System.Net.HttpVersion.Version20, response.Version);
    }

    [Fact]
    public async Task EndpointDefaultsHttp2_ServesThePublicListener_TheAdminAndDemoListenersKeepHttp1()
    {
        // README names Kestrel:EndpointDefaults as a place for Protocols; it is for the public side.
        var demoUrl = $"http://127.0.0.1:{FreePort.Next()}";
        await using var proxy = await StartProxyAsync(new()
        {
            ["Kestrel:EndpointDefaults:Protocols"] = "Http2",
            ["DemoBackend:Enabled"] = "true",
            ["DemoBackend:Url"] = demoUrl,
            ["ReverseProxy:Clusters:app:Destinations:app:Address"] = demoUrl + "/",
        });
        using var client = new HttpClient();

        using var forwarded = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, proxy.PublicUrl + "/")
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
        var down = await Scripts.DownAsync(proxy, "--timeout", "10");
        var up = await Scripts.UpAsync(proxy, "--timeout", "10");

        Assert.Equal(System.Net.HttpStatusCode.OK, forwarded.StatusCode);
        Assert.StartsWith("Hello from the MaintProxy demo backend", await forwarded.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(down.ExitCode == 0, down.Stdout + down.Stderr);
        Assert.True(up.ExitCode == 0, up.Stdout + up.Stderr);
    }

    [Theory]
    [InlineData("http://localhost:{0}", "127.0.0.1")]
    [InlineData("HTTP://127.0.0.1:{0}", "127.0.0.1")]
    [InlineData("http://[::1]:{0}", "[::1]")]
    public async Task UrlWithALoopbackAddress_IsServed(string url, string connectTo)
    {
        var port = FreePort.Next();
        await using var proxy = await StartProxyAsync(new()
        {
            ["Kestrel:Endpoints:Public:Url"] = string.Format(CultureInfo.InvariantCulture, url, port),
        });
        using var client = new HttpClient();

        var body = await client.GetStringAsync($"http://{connectTo}:{port}/");

        Assert.Equal("backend ok /", body);
    }
}
