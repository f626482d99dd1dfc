using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Lifetime;

/// <summary>
/// The proxy started the way systemd starts a socket-activated <c>Type=notify</c> service, by
/// <c>systemd-socket-activate</c> (Debian package systemd): it holds the listening socket and
/// passes it on (LISTEN_FDS), and readiness goes to NOTIFY_SOCKET, here in the abstract namespace.
/// </summary>
public sealed class SocketActivationEndToEndTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task InheritedSocket_ServesPublicTrafficAndReportsReadyAndStopping()
    {
        await using var backend = await TestBackend.StartAsync();
        var activatedPort = FreePort.Next();
        var configuredPort = FreePort.Next();
        var notifyName = "maintproxy-test-" + Guid.NewGuid().ToString("N");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint("\0" + notifyName));
        await using var process = await StartActivatedAsync([activatedPort], fdNames: null, backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Public:Url"] = $"http://127.0.0.1:{configuredPort}",
        }, "NOTIFY_SOCKET=@" + notifyName);

        // The socket holder accepts into its queue from the start; the proxy answers once it runs.
        using var client = new HttpClient { Timeout = Deadline };
        string? answer = null;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            try
            {
                answer = await client.GetStringAsync($"http://127.0.0.1:{activatedPort}/hello");
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, Deadline, TimeSpan.FromMilliseconds(50)), process.Output);

        Assert.Equal("backend ok /hello", answer);
        Assert.StartsWith("READY=1", await ReceiveAsync(notify));
        Assert.True(await Connections.IsRefusedAsync(configuredPort), "the Kestrel:Endpoints address was bound too");
        Assert.Contains("Listening on 1 inherited socket(s)", process.Output, StringComparison.Ordinal);

        process.Signal("TERM");
        Assert.StartsWith("STOPPING=1", await ReceiveAsync(notify));
        Assert.True(await process.WaitForExitAsync(Deadline), process.Output);
        Assert.Contains("every request in flight finished; exiting", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public Task SocketNamedLikeAnHttp2Endpoint_SpeaksHttp2WithoutTls_AsTheBoundEndpointDoes()
        => AssertSpeaksHttp2OnlyAsync("Public");

    [Fact]
    public Task ShippedSocketUnit_TakesThePublicEndpointsProtocols()
        => AssertSpeaksHttp2OnlyAsync(NameSystemdPasses(Path.Combine(RepoPaths.Root, "maint", "systemd", "maintproxy.socket")));

    /// <summary>The name systemd passes with a unit's socket: its FileDescriptorName=, else the unit's own name.</summary>
    private static string NameSystemdPasses(string socketUnit)
    {
        const string Key = "FileDescriptorName=";
        var named = File.ReadLines(socketUnit).Select(line => line.Trim()).LastOrDefault(line => line.StartsWith(Key, StringComparison.Ordinal));
        return named is null ? Path.GetFileName(socketUnit) : named[Key.Length..];
    }

    private async Task AssertSpeaksHttp2OnlyAsync(string fdName)
    {
        await using var backend = await TestBackend.StartAsync();
        var port = FreePort.Next();
        await using var process = await StartActivatedAsync([port], fdName, backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Public:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Kestrel:Endpoints:Public:Protocols"] = "Http2",
        });

        // Prior knowledge, as a load balancer or a gRPC client forwarding HTTP/2 without TLS speaks it.
        using var client = new HttpClient { Timeout = Deadline };
        HttpResponseMessage? answer = null;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            try
            {
                answer = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/h2")
                {
                    Version = HttpVersion.Version20,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                });
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50)), "no HTTP/2 answer on the inherited socket\n" + process.Output);

        Assert.Equal(HttpVersion.Version20, answer!.Version);
        Assert.Equal("backend ok /h2", await answer.Content.ReadAsStringAsync());
        using var http11 = await client.GetAsync($"http://127.0.0.1:{port}/h1");
        Assert.Equal(HttpStatusCode.BadRequest, http11.StatusCode);
    }

    [Fact]
    public async Task ListenFdsMeantForAnotherProcess_AreNotTaken_TheConfiguredEndpointServes()
    {
        // A shell started by a socket-activated service passes LISTEN_FDS on to what it runs; LISTEN_PID says whose they are.
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyProcess.StartReadyAsync(_dir.Path, backend.Url, environment: new Dictionary<string, string>
        {
            ["LISTEN_PID"] = "1",
            ["LISTEN_FDS"] = "1",
        });
        using var client = new HttpClient { Timeout = Deadline };

        Assert.Equal("backend ok /hello", await client.GetStringAsync(proxy.PublicUrl + "/hello"));
        Assert.Contains(", 0 inherited socket(s))", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SocketNamedLikeAnHttpsEndpoint_ServesTlsWithItsCertificate_TheOtherPlainHttp()
    {
        await using var backend = await TestBackend.StartAsync();
        using var certificate = TestCertificate.Create(_dir);
        using var client = certificate.CreateClient();
        var (plainPort, securePort, configuredPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        var settings = certificate.EndpointSettings("Secure", $"https://127.0.0.1:{configuredPort}");
        await using var process = await StartActivatedAsync([plainPort, securePort], "Public:Secure", backend.Url, settings);

        Assert.True(await Eventually.TrueAsync(() => process.OutputContains("Ready to serve"), Deadline), process.Output);
        Assert.Equal("backend ok /plain", await client.GetStringAsync($"http://127.0.0.1:{plainPort}/plain"));
        using var secure = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{securePort}/secure")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
        Assert.Equal("backend ok /secure", await secure.Content.ReadAsStringAsync());
        Assert.Equal("https", backend.Requests.Last().Header("X-Forwarded-Proto"));
        Assert.True(await Connections.IsRefusedAsync(configuredPort), "the endpoint's own address was bound too");
        Assert.Contains("Inherited socket Secure serves HTTPS", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpsSocket_Http2ClientKeepingItsConnectionAfterTheGoaway_DoesNotHoldTheDrain()
    {
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var download = new SlowDownload(chunks: 4, chunkSize: 8 * 1024, pause: TimeSpan.FromMilliseconds(50)) { RestSentAfter = rest.Task };
        await using var backend = await TestBackend.StartAsync(download.ServeAsync);
        using var certificate = TestCertificate.Create(_dir);
        var securePort = FreePort.Next();
        var settings = certificate.EndpointSettings("Secure", $"https://127.0.0.1:{FreePort.Next()}");
        settings["Lifetime:DrainTimeout"] = "00:00:20";
        await using var process = await StartActivatedAsync([securePort], "Secure", backend.Url, settings);
        Assert.True(await Eventually.TrueAsync(() => process.OutputContains("Ready to serve"), Deadline), process.Output);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, securePort));
        await using var client = await RawHttp2.OverTlsAsync(socket, certificate);
        await client.WriteAsync(RawHttp2.Preface(streamWindow: 65535));
        await client.WriteAsync(RawHttp2.Get("https", "/big.iso"));
        Assert.Equal(8 * 1024, (await RawHttp2.ReceiveDataAsync(client, untilBytes: 8 * 1024)).Bytes);

        var stopping = Stopwatch.StartNew();
        process.Signal("TERM");
        Assert.True(await RawHttp2.ReceiveGoAwayAsync(client), "no GOAWAY came\n" + process.Output);
        rest.SetResult();
        Assert.True((await RawHttp2.ReceiveDataAsync(client, untilBytes: int.MaxValue)).Ended, "the answer was cut\n" + process.Output);

        // The client keeps its connection and sends nothing more: without the wake, the exit comes at the drain timeout.
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(8)), $"the HTTP/2 connection held the drain (after {stopping.Elapsed})\n" + process.Output);
        Assert.Contains("every request in flight finished; exiting", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FewerNamesThanSockets_TheUnnamedSocketServesPlainHttp()
    {
        // sd_listen_fds_with_names(3): a socket holder may name fewer sockets than it passes on.
        await using var backend = await TestBackend.StartAsync();
        using var certificate = TestCertificate.Create(_dir);
        using var client = certificate.CreateClient();
        var (securePort, plainPort) = (FreePort.Next(), FreePort.Next());
        var settings = certificate.EndpointSettings("Secure", $"https://127.0.0.1:{FreePort.Next()}");
        await using var process = await StartActivatedAsync([securePort, plainPort], fdNames: null, backend.Url, settings, "LISTEN_FDNAMES=Secure");

        Assert.True(await Eventually.TrueAsync(() => process.OutputContains("Ready to serve"), Deadline), process.Output);
        Assert.Equal("backend ok /secure", await client.GetStringAsync($"https://127.0.0.1:{securePort}/secure"));
        Assert.Equal("backend ok /plain", await client.GetStringAsync($"http://127.0.0.1:{plainPort}/plain"));
    }

    [Fact]
    public async Task HttpsSocketWithoutACertificateOfItsOwn_UsesKestrelsDefaultCertificate()
    {
        await using var backend = await TestBackend.StartAsync();
        using var certificate = TestCertificate.Create(_dir);
        using var client = certificate.CreateClient();
        var port = FreePort.Next();
        var settings = new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Secure:Url"] = $"https://127.0.0.1:{FreePort.Next()}",
            ["Kestrel:Certificates:Default:Path"] = certificate.CertificatePath,
            ["Kestrel:Certificates:Default:KeyPath"] = certificate.KeyPath,
        };
        await using var process = await StartActivatedAsync([port], "Secure", backend.Url, settings);

        Assert.True(await Eventually.TrueAsync(() => process.OutputContains("Ready to serve"), Deadline), process.Output);
        Assert.Equal("backend ok /secure", await client.GetStringAsync($"https://127.0.0.1:{port}/secure"));
    }

    [Fact]
    public async Task HttpsEndpointWithNoSocketOfItsName_IsReportedAtStart()
    {
        await using var backend = await TestBackend.StartAsync();
        using var certificate = TestCertificate.Create(_dir);
        var port = FreePort.Next();
        var settings = certificate.EndpointSettings("Secure", $"https://127.0.0.1:{FreePort.Next()}");
        await using var process = await StartActivatedAsync([port], fdNames: null, backend.Url, settings);

        Assert.True(await Eventually.TrueAsync(() => process.OutputContains("Ready to serve"), Deadline), process.Output);
        Assert.Contains("Kestrel:Endpoints:Secure (https://127.0.0.1:", process.Output, StringComparison.Ordinal);
        Assert.Contains("is not served: no inherited socket is named Secure", process.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HttpsSocketWithAFullChainFile_SendsTheIntermediateCertificates(bool pkcs12)
    {
        // certbot's fullchain.pem: the certificate, then the CA's intermediate (or a .pfx holding both). An inherited
        // socket sent the certificate alone, which curl and OpenSSL refuse.
        await using var backend = await TestBackend.StartAsync();
        using var chain = TestCertificateChain.Create(_dir, pkcs12);
        var port = FreePort.Next();
        var settings = chain.EndpointSettings("Secure");
        settings["Kestrel:Endpoints:Secure:Url"] = $"https://127.0.0.1:{FreePort.Next()}";

        await using var process = await StartActivatedAsync([port], "Secure", backend.Url, settings);
        Assert.True(await Eventually.TrueAsync(() => process.OutputContains("Ready to serve"), Deadline), process.Output);

        var built = new List<string>();
        using var client = chain.CreateChainRecordingClient(built);

        Assert.Equal("backend ok /chain", await client.GetStringAsync($"https://127.0.0.1:{port}/chain"));
        Assert.Equal(["CN=127.0.0.1", "CN=MaintProxy Test Intermediate"], built.Take(2));
    }

    [Fact]
    public async Task HttpsSocketWhoseCertificateCannotBeRead_StopsTheStartNamingTheKey()
    {
        await using var backend = await TestBackend.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Secure:Url"] = $"https://127.0.0.1:{FreePort.Next()}",
            ["Kestrel:Endpoints:Secure:Certificate:Path"] = _dir.File("missing.crt"),
            ["Kestrel:Endpoints:Secure:Certificate:KeyPath"] = _dir.File("missing.key"),
        };
        await using var process = await StartActivatedAsync([FreePort.Next()], "Secure", backend.Url, settings);

        Assert.True(await process.WaitForExitAsync(Deadline), "the proxy should refuse to start");
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("MaintProxy cannot start: Kestrel:Endpoints:Secure:Certificate: the certificate", process.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Public", "Kestrel:Endpoints:Public:Protocols", "the socket named Public (FileDescriptorName=)")]
    [InlineData(null, "Kestrel:EndpointDefaults:Protocols", "an unnamed socket")]
    public async Task SocketWhoseProtocolsAreHttp3Alone_StopsTheStartNamingTheKey(string? fdName, string key, string socket)
    {
        // Before, the proxy reported ready and closed every connection on the socket, logging an error for each.
        await using var backend = await TestBackend.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Public:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            [key] = "Http3",
        };
        await using var process = await StartActivatedAsync([FreePort.Next()], fdName, backend.Url, settings);

        Assert.True(await process.WaitForExitAsync(Deadline), "the proxy should refuse to start\n" + process.Output);
        Assert.Equal(1, process.ExitCode);
        Assert.Contains($"MaintProxy cannot start: {key} 'Http3' leaves nothing to serve on {socket} passed on by systemd: that socket is TCP,",
            process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Ready to serve", process.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts the proxy under systemd-socket-activate, which runs it once a first connection arrives
    /// (as systemd does): so one is made, to the first socket, and closed.
    /// </summary>
    private async Task<CapturedProcess> StartActivatedAsync(int[] ports, string? fdNames, string backendUrl, Dictionary<string, string> settings, string? setEnvironment = null)
    {
        Directory.CreateDirectory(_dir.File("maint"));
        var start = new ProcessStartInfo("systemd-socket-activate") { WorkingDirectory = _dir.Path };
        foreach (var port in ports)
        {
            start.ArgumentList.Add($"--listen=127.0.0.1:{port}");
        }

        if (fdNames is not null)
        {
            start.ArgumentList.Add("--fdname=" + fdNames);
        }

        if (setEnvironment is not null)
        {
            start.ArgumentList.Add("--setenv=" + setEnvironment);
        }

        foreach (var arg in (string[])["--setenv=DOTNET_gcServer=0", "--setenv=DOTNET_EnableDiagnostics=0", "dotnet", RepoPaths.ProxyDll])
        {
            start.ArgumentList.Add(arg);
        }

        settings["Admin:Url"] = $"http://127.0.0.1:{FreePort.Next()}";
        settings["DemoBackend:Enabled"] = "false";
        settings["Maintenance:PagePath"] = RepoPaths.MaintPage;
        settings["ReverseProxy:Clusters:app:Destinations:app:Address"] = backendUrl;
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = CapturedProcess.Start(start);
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await first.ConnectAsync(IPAddress.Loopback, ports[0]);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, Deadline, TimeSpan.FromMilliseconds(20)), process.Output);
        return process;
    }

    private static async Task<string> ReceiveAsync(Socket notify)
    {
        var buffer = new byte[4096];
        var read = await notify.ReceiveAsync(buffer).WaitAsync(Deadline);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
