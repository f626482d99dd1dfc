using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// <c>FastCgi:BufferRequestBodies</c> against a real php-fpm with one worker: a client that uploads
/// slowly holds that worker only when bodies are streamed.
/// </summary>
public sealed class FastCgiRequestBufferingEndToEndTests : FastCgiEndToEndTest
{
    private const int UploadBytes = 256 * 1024;

    // Larger than HttpClient's write buffer, so the headers and this much of the body leave at once.
    private const int SentBeforeStalling = 64 * 1024;

    private const int OtherRequests = 3;

    // Generous: the proxy's first pass through an error path is compiled while the whole suite loads both cores.
    private static readonly TimeSpan ClosingWait = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SlowUpload_HoldsTheOnlyWorker_OnlyWhenBodiesAreStreamed(bool buffer)
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await StartProxyAsync(fpm, buffer);
        var body = RandomNumberGenerator.GetBytes(UploadBytes);
        var pipe = new Pipe();
        using var content = new StreamContent(pipe.Reader.AsStream());
        content.Headers.ContentLength = body.Length;
        var upload = Client.PostAsync(proxy.PublicUrl + "/upload.php", content);
        await pipe.Writer.WriteAsync(body.AsMemory(0, SentBeforeStalling));
        Assert.True(await Eventually.TrueAsync(async () => await InFlightAsync(proxy) == 1, TimeSpan.FromSeconds(10)),
            "the upload never reached the proxy");
        if (!buffer)
        {
            Assert.True(await proxy.WaitForOutputAsync("opened for cluster app", TimeSpan.FromSeconds(10)),
                "the streamed upload never took the connection");
        }

        // Several in a row: a streamed upload still on its way to the pool could let the first one by.
        var others = new List<Task<HttpResponseMessage>>();
        var servedWhileStalled = 0;
        while (servedWhileStalled < OtherRequests)
        {
            var other = Client.GetAsync(proxy.PublicUrl + "/hello.php");
            others.Add(other);
            if (await Task.WhenAny(other, Task.Delay(TimeSpan.FromSeconds(buffer ? 10 : 1.5))) != other)
            {
                break;
            }

            servedWhileStalled++;
        }

        Assert.False(upload.IsCompleted);
        Assert.Equal(buffer ? OtherRequests : 0, servedWhileStalled);
        await pipe.Writer.WriteAsync(body.AsMemory(SentBeforeStalling));
        await pipe.Writer.CompleteAsync();
        using var uploaded = await upload;
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        Assert.Equal($"{body.Length} {Convert.ToHexStringLower(SHA256.HashData(body))}", await uploaded.Content.ReadAsStringAsync());
        foreach (var other in others)
        {
            using var answered = await other;
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Buffered_BodyOverTheMemoryBuffer_WaitsInAnUnnamedFile_NothingLeftBehind(bool killed)
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await StartProxyAsync(fpm, buffer: true);
        var body = RandomNumberGenerator.GetBytes(UploadBytes);
        var pipe = new Pipe();
        using var content = new StreamContent(pipe.Reader.AsStream());
        content.Headers.ContentLength = body.Length;
        var upload = Client.PostAsync(proxy.PublicUrl + "/upload.php", content);
        await pipe.Writer.WriteAsync(body.AsMemory(0, 2 * SentBeforeStalling));

        // Past 64 KiB a stalled body is on disk, not in the proxy's memory, in a file already unlinked.
        Assert.True(await Eventually.TrueAsync(() => OpenBodyFiles(proxy).Length == 1, TimeSpan.FromSeconds(10)),
            "no temporary file holds the stalled body");
        Assert.EndsWith("(deleted)", OpenBodyFiles(proxy).Single(), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, OpenBodyFileMode(proxy));
        Assert.Empty(Directory.GetFileSystemEntries(proxy.TempPath));
        if (killed)
        {
            proxy.Signal("KILL");
            Assert.True(await proxy.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            Assert.Empty(Directory.GetFileSystemEntries(proxy.TempPath));
            return;
        }

        await pipe.Writer.WriteAsync(body.AsMemory(2 * SentBeforeStalling));
        await pipe.Writer.CompleteAsync();
        using var uploaded = await upload;

        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        Assert.Equal($"{body.Length} {Convert.ToHexStringLower(SHA256.HashData(body))}", await uploaded.Content.ReadAsStringAsync());
        Assert.True(await Eventually.TrueAsync(() => OpenBodyFiles(proxy).Length == 0, ClosingWait), "the temporary file is still open");
    }

    [Fact]
    public async Task Buffered_UploadsAbortedMidway_LeaveNoBodyFileOpen()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await StartProxyAsync(fpm, buffer: true);
        var head = $"POST /upload.php HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {UploadBytes}\r\n\r\n";
        var start = RandomNumberGenerator.GetBytes(2 * SentBeforeStalling);
        using var closed = await StartRawRequestAsync(proxy, head, start);
        using var reset = await StartRawRequestAsync(proxy, head, start);
        Assert.True(await Eventually.TrueAsync(() => OpenBodyFiles(proxy).Length == 2, TimeSpan.FromSeconds(10)),
            "the stalled bodies are not in temporary files");

        closed.Client.Shutdown(SocketShutdown.Send);
        reset.Client.LingerState = new LingerOption(true, 0);
        reset.Close();

        Assert.True(await Eventually.TrueAsync(() => OpenBodyFiles(proxy).Length == 0, ClosingWait),
            $"{OpenBodyFiles(proxy).Length} body file(s) still open after their clients left");
        using var after = await Client.GetAsync(proxy.PublicUrl + "/hello.php");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Theory]
    [InlineData("backslash in the path", 400)]
    [InlineData("chunked body over the cap", 413)]
    [InlineData("header too large for a FastCGI record", 431)]
    public async Task Buffered_BodyOfARefusedRequest_IsNotLeftOpen(string refusal, int status)
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await StartProxyAsync(fpm, buffer: true, new Dictionary<string, string>
        {
            ["Kestrel:Limits:MaxRequestHeadersTotalSize"] = "262144",
        });
        var chunked = refusal.StartsWith("chunked", StringComparison.Ordinal);
        var target = refusal.StartsWith("backslash", StringComparison.Ordinal) ? "/a%5Cb.php" : "/upload.php";
        var header = refusal.StartsWith("header", StringComparison.Ordinal) ? $"X-Big: {new string('x', 70_000)}\r\n" : "";
        var framing = chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {UploadBytes}";
        var head = $"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}{framing}\r\n\r\n";
        var body = RandomNumberGenerator.GetBytes(chunked ? UploadBytes + SentBeforeStalling : UploadBytes);
        using var client = await StartRawRequestAsync(proxy, head, Frame(body.AsSpan(0, 2 * SentBeforeStalling), chunked));
        Assert.True(await Eventually.TrueAsync(() => OpenBodyFiles(proxy).Length == 1, TimeSpan.FromSeconds(10)),
            "the stalled body is not in a temporary file");

        await client.GetStream().WriteAsync(Frame(body.AsSpan(2 * SentBeforeStalling), chunked));
        if (chunked)
        {
            await client.GetStream().WriteAsync("0\r\n\r\n"u8.ToArray());
        }

        Assert.Equal(status, await ReadStatusAsync(client));
        Assert.True(await Eventually.TrueAsync(() => OpenBodyFiles(proxy).Length == 0, ClosingWait),
            $"the body of the request answered {status} is still open");
    }

    [Fact]
    public async Task Streamed_BodyWithLengthOverTheBufferCap_StillReachesPhp()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await StartProxyAsync(fpm, buffer: false);
        var body = RandomNumberGenerator.GetBytes(2 * UploadBytes);

        using var response = await Client.PostAsync(proxy.PublicUrl + "/upload.php", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{body.Length} {Convert.ToHexStringLower(SHA256.HashData(body))}", await response.Content.ReadAsStringAsync());
    }

    /// <summary>The body files the proxy holds open, as /proc names them ("… (deleted)" once unlinked).</summary>
    private static string[] OpenBodyFiles(ProxyProcess proxy) =>
        new DirectoryInfo($"/proc/{proxy.Pid}/fd").GetFileSystemInfos()
            .Select(fd => fd.LinkTarget ?? "")
            .Where(target => target.Contains("maintproxy-body-", StringComparison.Ordinal))
            .ToArray();

    // The open file's own mode (stat follows the /proc link to the unlinked file).
    private static UnixFileMode OpenBodyFileMode(ProxyProcess proxy)
    {
        var descriptor = new DirectoryInfo($"/proc/{proxy.Pid}/fd").GetFileSystemInfos()
            .Single(fd => (fd.LinkTarget ?? "").Contains("maintproxy-body-", StringComparison.Ordinal));
        return OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(descriptor.FullName);
    }

    /// <summary>Sends a request head and the start of its body on a connection of its own; the test sends the rest, or leaves.</summary>
    private static async Task<TcpClient> StartRawRequestAsync(ProxyProcess proxy, string head, byte[] bodyStart)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.PublicPort);
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head));
        await client.GetStream().WriteAsync(bodyStart);
        return client;
    }

    private static byte[] Frame(ReadOnlySpan<byte> part, bool chunked) =>
        chunked ? [.. Encoding.ASCII.GetBytes($"{part.Length:x}\r\n"), .. part, .. "\r\n"u8] : part.ToArray();

    /// <summary>The status code of the response's first line.</summary>
    private static async Task<int> ReadStatusAsync(TcpClient client)
    {
        var buffer = new byte[4096];
        var received = 0;
        while (received < buffer.Length)
        {
            var read = await client.GetStream().ReadAsync(buffer.AsMemory(received)).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            if (read == 0)
            {
                break;
            }

            received += read;
            var text = Encoding.ASCII.GetString(buffer, 0, received);
            if (text.Contains("\r\n", StringComparison.Ordinal))
            {
                return int.Parse(text.Split(' ')[1], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("no status line came back: " + Encoding.ASCII.GetString(buffer, 0, received));
    }

    private static async Task<int> InFlightAsync(ProxyProcess proxy)
    {
        var status = await proxy.StatusAsync();
        return status.GetProperty("inFlight").TryGetProperty("app", out var count) ? count.GetInt32() : 0;
    }

    private Task<ProxyProcess> StartProxyAsync(FastCgiPeer fpm, bool buffer, Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>(extra ?? [])
        {
            ["FastCgi:BufferRequestBodies"] = buffer ? "true" : "false",
            // Small, so that the streamed upload below is over it.
            ["FastCgi:MaxBufferedRequestBodyBytes"] = UploadBytes.ToString(CultureInfo.InvariantCulture),
        };
        return FastCgiProxy.StartAsync(Dir, fpm, maxConnections: 1, TimeSpan.FromSeconds(20), settings);
    }
}
