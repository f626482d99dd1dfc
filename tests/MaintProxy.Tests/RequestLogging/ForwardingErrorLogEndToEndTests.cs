using System.Net.Sockets;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.RequestLogging;

/// <summary>
/// What the log says when a forwarding fails: a client that leaves mid-download is one request line
/// (<c>client-error</c>), not also YARP's warning with a stack trace; a backend that fails keeps it.
/// </summary>
public sealed class ForwardingErrorLogEndToEndTests : EndToEndTest
{
    private const string HttpForwarderLevelKey = "Serilog:MinimumLevel:Override:Yarp.ReverseProxy.Forwarder.HttpForwarder";

    private protected override Func<HttpContext, Task> BackendHandler => StreamSlowlyAsync;

    [Fact]
    public async Task ClientLeavesMidDownload_OneRequestLine_NoWarning()
    {
        await using var proxy = await StartProxyAsync();

        await LeaveMidDownloadAsync(proxy.PublicPort);

        Assert.True(await proxy.WaitForOutputAsync("GET /download → 200 client-error", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.DoesNotContain("ResponseBody", proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("WRN", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientLeavesMidDownload_ForwarderAtDebug_YarpsLineIsKept()
    {
        await using var proxy = await StartProxyAsync(new Dictionary<string, string> { [HttpForwarderLevelKey] = "Debug" });

        await LeaveMidDownloadAsync(proxy.PublicPort);

        Assert.True(await proxy.WaitForOutputAsync("client-error", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.True(await proxy.WaitForOutputAsync("ResponseBody", TimeSpan.FromSeconds(5)), proxy.Output);
    }

    [Fact]
    public async Task BackendCutsTheConnection_WarningIsKept()
    {
        await using var proxy = await StartProxyAsync();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetStringAsync(proxy.PublicUrl + "/broken"));

        Assert.True(await proxy.WaitForOutputAsync("proxy-error", TimeSpan.FromSeconds(10)), proxy.Output);
        Assert.Contains("WRN]", proxy.Output, StringComparison.Ordinal);
    }

    /// <summary>Reads the first bytes of the answer, then closes the connection.</summary>
    private static async Task LeaveMidDownloadAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /download HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        var buffer = new byte[1024];
        Assert.True(await socket.ReceiveAsync(buffer) > 0);
    }

    // /download: 16 KB now, then 16 KB every 50 ms for up to 10 s; /broken: 16 KB, then the connection is cut.
    private static async Task StreamSlowlyAsync(HttpContext context)
    {
        var chunk = new byte[16 * 1024];
        await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        if (context.Request.Path == "/broken")
        {
            await Task.Delay(100); // the headers and the first bytes reach the proxy first
            context.Abort();
            return;
        }

        for (var i = 0; i < 200 && !context.RequestAborted.IsCancellationRequested; i++)
        {
            await Task.Delay(50);
            try
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
