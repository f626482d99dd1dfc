using System.Net;
using System.Net.Sockets;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Listeners;

/// <summary><c>Kestrel:Limits</c> and YARP's per-route override, against the real proxy.</summary>
public sealed class KestrelLimitsEndToEndTests : EndToEndTest, IDisposable
{
    private const int Limit = 1000;

    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task MaxRequestBodySize_BodyOverIt_Gets413AndNeverReachesTheBackend_LoggedAsTheClientsError()
    {
        await using var proxy = await StartProxyAsync(new() { ["Kestrel:Limits:MaxRequestBodySize"] = $"{Limit}" });

        using var atLimit = await _client.PostAsync(proxy.PublicUrl + "/upload", new ByteArrayContent(new byte[Limit]));
        using var overLimit = await _client.PostAsync(proxy.PublicUrl + "/upload", new ByteArrayContent(new byte[Limit + 1]));

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overLimit.StatusCode);
        Assert.Equal([(long)Limit], Backend.Requests.Select(r => r.BodyLength));
        Assert.True(await proxy.WaitForOutputAsync("POST /upload → 413 client-error", TimeSpan.FromSeconds(5)), proxy.Output);
    }

    [Fact]
    public async Task MaxRequestBodySize_RouteOverride_LiftsItForThatRoute()
    {
        await using var proxy = await StartProxyAsync(new()
        {
            ["Kestrel:Limits:MaxRequestBodySize"] = $"{Limit}",
            ["ReverseProxy:Routes:app:MaxRequestBodySize"] = "-1",
        });

        using var response = await _client.PostAsync(proxy.PublicUrl + "/upload", new ByteArrayContent(new byte[10 * Limit]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([10L * Limit], Backend.Requests.Select(r => r.BodyLength));
    }

    [Fact]
    public async Task MinRequestBodyDataRate_Set_IsAppliedToASlowBody_408AndTheBackendGetsNoWholeBody()
    {
        // 1,000 bytes a second: well above Kestrel's default minimum (240 after 5 s), far below this one.
        // Written in another letter case: configuration keys are read in any.
        await using var proxy = await StartProxyAsync(new()
        {
            ["Kestrel:Limits:MinRequestBodyDataRate:bytesPerSecond"] = "100000",
            ["Kestrel:Limits:MinRequestBodyDataRate:GracePeriod"] = "00:00:01.5",
        });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, proxy.PublicPort);
        const int Chunks = 40;
        await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: {Chunks * 100}\r\n\r\n"));
        try
        {
            for (var chunk = 0; chunk < Chunks && socket.Available == 0; chunk++)
            {
                await socket.SendAsync(new byte[100]);
                await Task.Delay(100);
            }
        }
        catch (SocketException)
        {
            // The proxy gave up on the body and closed the connection: its answer is read below.
        }

        var answer = new byte[1024];
        var read = await socket.ReceiveAsync(answer);

        Assert.StartsWith("HTTP/1.1 408 ", Encoding.ASCII.GetString(answer, 0, read), StringComparison.Ordinal);
        Assert.DoesNotContain(Backend.Requests, r => r.BodyLength == Chunks * 100);
        Assert.True(await proxy.WaitForOutputAsync("POST /upload → 408 client-error", TimeSpan.FromSeconds(5)), proxy.Output);
    }

    [Fact]
    public async Task MinResponseDataRate_Set_CutsOffAClientThatReadsTooSlowly_LoggedAsTheClientsError()
    {
        // Without it, such a client is cut off only by the cluster's ActivityTimeout (100 s), see README "Slow clients".
        // Kestrel allows each write its size at this rate, so a high rate keeps the cut soon after the grace period.
        const long BodyBytes = 64L * 1024 * 1024;
        var chunk = new byte[64 * 1024];
        await using var backend = await TestBackend.StartAsync(async context =>
        {
            context.Response.ContentLength = BodyBytes;
            for (long sent = 0; sent < BodyBytes && !context.RequestAborted.IsCancellationRequested; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        });
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Limits:MinResponseDataRate:BytesPerSecond"] = "10000000",
            ["Kestrel:Limits:MinResponseDataRate:GracePeriod"] = "00:00:01.5",
        });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, proxy.PublicPort);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /download HTTP/1.1\r\nHost: a\r\n\r\n"));

        // The client reads nothing until the proxy has given up on it.
        Assert.True(await proxy.WaitForOutputAsync("GET /download → 200 client-error", TimeSpan.FromSeconds(60)), proxy.Output);

        long received = 0;
        var buffer = new byte[64 * 1024];
        try
        {
            for (var reads = 0; reads < 100_000; reads++)
            {
                var read = await socket.ReceiveAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                received += read;
            }
        }
        catch (SocketException)
        {
            // Reset: the proxy closed the connection with bytes still unread.
        }

        Assert.True(received < BodyBytes, $"{received} of {BodyBytes} bytes arrived");
    }

    [Theory]
    [InlineData("Kestrel:Limits:MinRequestBodyDataRate:GracePeriod", "00:00:00.5", "must be greater than 1 second")]
    [InlineData("Kestrel:Limits:MinResponseDataRate:BytesPerSecond", "-1", "Value must be a positive number.")]
    public async Task DataRate_ValueKestrelRefuses_StopsTheStartWithTheKeyNamed(string key, string value, string reason)
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { [key] = value });

        Assert.Contains($"MaintProxy cannot start: {key} is '{value}', which Kestrel refuses: ", output, StringComparison.Ordinal);
        Assert.Contains(reason, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limits_NotANumber_StopsTheStartWithTheKeyNamed()
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["Kestrel:Limits:MaxRequestBodySize"] = "lots" });

        Assert.Contains("MaintProxy cannot start", output, StringComparison.Ordinal);
        Assert.Contains("MaxRequestBodySize", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kestrel:Limits:KeepAliveTimeout", "-00:00:01", "Value must be a positive TimeSpan.")]
    [InlineData("Kestrel:Limits:MaxRequestBodySize", "-5", "Value must be null or a non-negative number.")]
    [InlineData("Kestrel:Limits:MaxConcurrentConnections", "0", "Value must be null or a positive number.")]
    public async Task Limits_ValueKestrelRefuses_StopsTheStartWithTheKeyNamed(string key, string value, string reason)
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Limits:MaxRequestHeaderCount"] = "50",
            [key] = value,
        });

        Assert.Contains($"MaintProxy cannot start: {key} is '{value}', which Kestrel refuses: {reason}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kestrel:Limits:Http2:MaxStreamsPerConnection", "0", "A value greater than zero is required. (Parameter 'value') Actual value was 0.")]
    [InlineData("Kestrel:Limits:Http2:MaxFrameSize", "5", "A value between 16384 and 16777215 is required. (Parameter 'value') Actual value was 5.")]
    public async Task NestedLimit_ValueKestrelRefuses_StopsTheStartWithItsKeyNamed_OnOneLine(string key, string value, string reason)
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Limits:Http2:InitialConnectionWindowSize"] = "131072",
            [key] = value,
        });

        var line = Assert.Single(output.Split('\n'), l => l.Contains("cannot start", StringComparison.Ordinal));
        // The whole refusal: Kestrel's own message, two lines, is neither repeated after it nor left on a line of its own.
        Assert.EndsWith($"MaintProxy cannot start: {key} is '{value}', which Kestrel refuses: {reason}", line.TrimEnd('\r'), StringComparison.Ordinal);
        Assert.DoesNotContain(output.Split('\n'), l => l.StartsWith("Actual value", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
