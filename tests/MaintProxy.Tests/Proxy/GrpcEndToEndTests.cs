using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Proxy;

/// <summary>
/// gRPC through the real proxy: a client speaking HTTP/2 (h2c) to the public listener, a cluster
/// speaking h2c to a real Kestrel backend that answers in gRPC's wire format.
/// </summary>
public sealed class GrpcEndToEndTests : IAsyncLifetime
{
    private static readonly MediaTypeHeaderValue GrpcType = new("application/grpc");

    private readonly TempDirectory _dir = new();
    private GrpcBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await GrpcBackend.StartAsync();

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task UnaryCall_ItsTrailersReachTheClient()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Http2Client();

        using var response = await client.SendAsync(UnaryRequest(proxy, "hello"), HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsByteArrayAsync();

        await proxy.WaitForOutputAsync("→", TimeSpan.FromSeconds(2));
        Assert.True(response.StatusCode == HttpStatusCode.OK, response.StatusCode + proxy.Output);
        Assert.Equal(new Version(2, 0), response.Version);
        Assert.Equal(GrpcBackend.Frame("hello"u8), body);
        Assert.Equal("0", string.Join(",", response.TrailingHeaders.GetValues("grpc-status")));
        Assert.True(await proxy.WaitForOutputAsync("200 forwarded", TimeSpan.FromSeconds(5)), proxy.Output);
    }

    [Fact]
    public async Task UnaryCallInMaintenance_GetsUnavailableAsAGrpcClientReadsIt_MarkedAsPlanned()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Http2Client();
        var down = await Scripts.DownAsync(proxy, "--reason", "schema upgrade");
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);

        using var response = await client.SendAsync(UnaryRequest(proxy, "hello"), HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsByteArrayAsync();

        // gRPC's HTTP/2 mapping: a call's status is in grpc-status with :status 200, here a trailers-only answer.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(body);
        Assert.Equal("14", Header(response, "grpc-status"));
        Assert.Contains("planned maintenance", Uri.UnescapeDataString(Header(response, "grpc-message")), StringComparison.Ordinal);
        Assert.Contains("schema upgrade", Uri.UnescapeDataString(Header(response, "grpc-message")), StringComparison.Ordinal);
        Assert.Equal("1", Header(response, "X-Maintenance-Mode"));
        Assert.True(await proxy.WaitForOutputAsync("/test.Echo/Unary → 200 maintenance", TimeSpan.FromSeconds(5)), proxy.Output);
        Assert.Equal(0, _backend.StreamsEnded);
    }

    [Fact]
    public async Task UnaryCallInMaintenance_ItsGrpcMessageIsPercentEncoded_PercentSignsToo()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Http2Client();
        var down = await Scripts.DownAsync(proxy, "--reason", "100% done, ü");
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);

        using var response = await client.SendAsync(UnaryRequest(proxy, "hello"), HttpCompletionOption.ResponseHeadersRead);

        // A client unescapes grpc-message: a bare '%' would be read as the start of an escape.
        Assert.Equal("14", Header(response, "grpc-status"));
        Assert.Contains("Reason: 100%25 done, %C3%BC Retry after", Header(response, "grpc-message"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/grpc-web", "application/grpc-web")]
    [InlineData("application/grpc-web+proto", "application/grpc-web+proto")]
    [InlineData("application/GRPC-WEB+json; charset=utf-8", "application/grpc-web+json")]
    [InlineData("application/grpc-web-text", "application/grpc-web-text")]
    public async Task GrpcWebCallInMaintenance_GetsUnavailableInGrpcWebTerms(string requestType, string answerType)
    {
        // gRPC-Web over HTTP/1.1, as browsers send it: the client checks the answer is gRPC-Web before reading grpc-status.
        await using var proxy = await StartProxyAsync(http2Only: false);
        var down = await Scripts.DownAsync(proxy, "--reason", "schema upgrade");
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using var content = new ByteArrayContent(GrpcBackend.Frame("hello"u8));
        content.Headers.TryAddWithoutValidation("Content-Type", requestType);
        using var request = new HttpRequestMessage(HttpMethod.Post, proxy.PublicUrl + "/test.Echo/Unary") { Content = content };
        request.Headers.TryAddWithoutValidation("x-grpc-web", "1");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(answerType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("14", Header(response, "grpc-status"));
        Assert.Equal("1", Header(response, "X-Maintenance-Mode"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, _backend.StreamsEnded);
    }

    [Fact]
    public async Task StreamingCall_EachMessageIsEchoedBeforeTheNextIsSent()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Http2Client();
        var opening = GrpcBackend.Frame("opening"u8);
        await using var call = await StreamingCall.OpenAsync(client, proxy, opening);
        Assert.Equal(opening, await call.ReceiveAsync(opening.Length));

        for (var i = 0; i < 5; i++)
        {
            var message = GrpcBackend.Frame(Encoding.ASCII.GetBytes("message " + i));
            await call.SendAsync(message);
            Assert.Equal(message, await call.ReceiveAsync(message.Length));
        }
    }

    [Fact]
    public async Task StreamingCallOpenWhenDownShRuns_NothingMoreReachesTheBackendAfterItReturns()
    {
        await using var proxy = await StartProxyAsync();
        using var client = Http2Client();
        var first = GrpcBackend.Frame("before"u8);
        await using var call = await StreamingCall.OpenAsync(client, proxy, first);
        Assert.Equal(first, await call.ReceiveAsync(first.Length));

        var down = await Scripts.DownAsync(proxy);
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
        var receivedWhenDownReturned = _backend.StreamBytesReceived;

        var sentAfter = 0;
        for (var i = 0; i < 5; i++)
        {
            if (!await call.TrySendAsync(GrpcBackend.Frame(Encoding.ASCII.GetBytes("after " + i))))
            {
                break;
            }

            sentAfter++;
        }

        // The backend's side of the call has ended (the switch reset it); nothing arrived after down.sh.
        Assert.True(await Eventually.TrueAsync(() => _backend.StreamsEnded == 1, TimeSpan.FromSeconds(10)),
            $"the call is still open at the backend; {_backend.StreamBytesReceived - first.Length} byte(s) of {sentAfter} message(s) sent after down.sh reached it");
        Assert.Equal(first.Length, receivedWhenDownReturned);
        Assert.True(first.Length == _backend.StreamBytesReceived,
            $"{_backend.StreamBytesReceived - first.Length} byte(s) of {sentAfter} message(s) sent after down.sh reached the backend" + proxy.Output);
        Assert.True(await proxy.WaitForOutputAsync("request stream(s)", TimeSpan.FromSeconds(5)), proxy.Output);
    }

    [Fact]
    public async Task StreamingCallThatNamesASiteOnlyInForwardedHost_IsClosedByThatSitesWindow_AndLoggedWithWhy()
    {
        // Its Host (127.0.0.1) and cluster name no window: the request line says which header did.
        await using var proxy = await StartProxyAsync();
        using var client = Http2Client();
        var first = GrpcBackend.Frame("before"u8);
        await using (var call = await StreamingCall.OpenAsync(client, proxy, first, forwardedHost: "shop.example"))
        {
            Assert.Equal(first, await call.ReceiveAsync(first.Length));

            var down = await Scripts.DownAsync(proxy, "--site", "shop.example");
            Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
            var receivedWhenDownReturned = _backend.StreamBytesReceived;
            for (var i = 0; i < 5 && await call.TrySendAsync(GrpcBackend.Frame(Encoding.ASCII.GetBytes("after " + i))); i++)
            {
            }

            Assert.True(await Eventually.TrueAsync(() => _backend.StreamsEnded == 1, TimeSpan.FromSeconds(10)),
                $"the call for shop.example (X-Forwarded-Host) is still open at the backend; {_backend.StreamBytesReceived - first.Length} byte(s) sent after down.sh reached it");
            Assert.Equal(first.Length, receivedWhenDownReturned);
            Assert.Equal(first.Length, _backend.StreamBytesReceived);
            Assert.True(await proxy.WaitForOutputAsync("request stream(s)", TimeSpan.FromSeconds(5)), proxy.Output);
        }

        Assert.True(await proxy.WaitForOutputAsync("POST /test.Echo/Stream →", TimeSpan.FromSeconds(10)), proxy.Output);
        var line = proxy.Output.Split('\n').Single(l => l.Contains("POST /test.Echo/Stream →", StringComparison.Ordinal));
        Assert.True(line.Contains(" maintenance in ", StringComparison.Ordinal)
            && line.TrimEnd().EndsWith("window of site shop.example, named by X-Forwarded-Host)", StringComparison.Ordinal), line);
    }

    private Task<ProxyProcess> StartProxyAsync(bool http2Only = true)
    {
        var settings = _backend.ProxySettings();
        if (http2Only)
        {
            settings["Kestrel:Endpoints:Public:Protocols"] = "Http2";
        }

        return ProxyProcess.StartReadyAsync(_dir.Path, _backend.Url, settings);
    }

    private static HttpClient Http2Client() => new(new SocketsHttpHandler())
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(20),
    };

    private static HttpRequestMessage UnaryRequest(ProxyProcess proxy, string message)
    {
        var content = new ByteArrayContent(GrpcBackend.Frame(Encoding.ASCII.GetBytes(message)));
        content.Headers.ContentType = GrpcType;
        var request = new HttpRequestMessage(HttpMethod.Post, proxy.PublicUrl + "/test.Echo/Unary") { Content = content, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        return request;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.TrailingHeaders.TryGetValues(name, out values)
            ? string.Join(",", values)
            : "";

    /// <summary>A bidirectional call: the request body is written message by message while the answer streams back.</summary>
    private sealed class StreamingCall : IAsyncDisposable
    {
        private readonly PushContent _content;
        private readonly HttpResponseMessage _response;
        private readonly Stream _responseBody;

        private StreamingCall(PushContent content, HttpResponseMessage response, Stream responseBody)
        {
            _content = content;
            _response = response;
            _responseBody = responseBody;
        }

        /// <summary>Opens the call with its first message, as gRPC clients do: a server may send its headers with its first answer only.</summary>
        public static async Task<StreamingCall> OpenAsync(HttpClient client, ProxyProcess proxy, byte[] firstMessage, string? forwardedHost = null)
        {
            var content = new PushContent();
            content.Headers.ContentType = GrpcType;
            var request = new HttpRequestMessage(HttpMethod.Post, proxy.PublicUrl + "/test.Echo/Stream") { Content = content, Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            request.Headers.TryAddWithoutValidation("te", "trailers");
            if (forwardedHost is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Forwarded-Host", forwardedHost);
            }

            var sending = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await content.WriteAsync(firstMessage);
            var response = await sending;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                await proxy.WaitForOutputAsync("→", TimeSpan.FromSeconds(2));
                Assert.Fail(response.StatusCode + proxy.Output);
            }

            return new StreamingCall(content, response, await response.Content.ReadAsStreamAsync());
        }

        public Task SendAsync(byte[] message) => _content.WriteAsync(message);

        /// <summary>False once the call is gone and the message could not be written.</summary>
        public async Task<bool> TrySendAsync(byte[] message)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _content.WriteAsync(message).WaitAsync(timeout.Token);
                return true;
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException or ChannelClosedException)
            {
                return false;
            }
        }

        public async Task<byte[]> ReceiveAsync(int length)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var buffer = new byte[length];
            await _responseBody.ReadExactlyAsync(buffer, timeout.Token);
            return buffer;
        }

        public ValueTask DisposeAsync()
        {
            _content.Complete();
            _response.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A request body written as the test goes: each write is flushed to the connection before it completes.</summary>
    private sealed class PushContent : HttpContent
    {
        private readonly Channel<(byte[] Data, TaskCompletionSource Written)> _writes = Channel.CreateUnbounded<(byte[], TaskCompletionSource)>();

        public async Task WriteAsync(byte[] data)
        {
            var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await _writes.Writer.WriteAsync((data, written));
            await written.Task;
        }

        public void Complete() => _writes.Writer.TryComplete();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await foreach (var (data, written) in _writes.Reader.ReadAllAsync())
            {
                try
                {
                    await stream.WriteAsync(data);
                    await stream.FlushAsync();
                    written.TrySetResult();
                }
                catch (Exception e)
                {
                    written.TrySetException(e);
                    throw;
                }
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
