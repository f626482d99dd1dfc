using System.Net;
using System.Net.Sockets;
using System.Text;
using MaintProxy.Tests.FastCgi;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.RequestLogging;

/// <summary>
/// Uploads reset by their clients mid-way, as browsers and mobile networks do all day: each is its
/// request line (<c>client-error</c>) and nothing else, however many come.
/// </summary>
public sealed class ResetUploadLogEndToEndTests : FastCgiEndToEndTest
{
    private const int Uploads = 30;
    private const string KestrelsError = "the body reader is in an invalid state";
    private static readonly TimeSpan Logged = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task UploadsResetMidway_EachIsOneRequestLine_NoErrorWithAStackTrace()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 2);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, maxConnections: 2, TimeSpan.FromSeconds(10));

        await ResetUploadsAsync(proxy);

        Assert.DoesNotContain("ERR]", proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("invalid state", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadsResetMidway_ForwarderAtDebug_KestrelsErrorIsKept()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 2);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, maxConnections: 2, TimeSpan.FromSeconds(10),
            new Dictionary<string, string> { ["Serilog:MinimumLevel:Override:Yarp.ReverseProxy.Forwarder.HttpForwarder"] = "Debug" });

        // Not every reset leaves the body's read unfinished (about half do, fewer on a busy machine): up to
        // three times as many uploads as the other test, until one has.
        await ResetUploadsAsync(proxy, 3 * Uploads, () => proxy.Output.Contains(KestrelsError, StringComparison.Ordinal));

        Assert.True(await Eventually.TrueAsync(() => proxy.Output.Contains(KestrelsError, StringComparison.Ordinal), Logged),
            proxy.Output);
    }

    /// <summary>
    /// Sends uploads one after the other, each reset once the proxy is reading its body, until
    /// <paramref name="enough"/> holds once one is logged; returns when each is logged.
    /// </summary>
    private static async Task ResetUploadsAsync(ProxyProcess proxy, int uploads = Uploads, Func<bool>? enough = null)
    {
        for (var i = 1; i <= uploads; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, proxy.PublicPort);
            await socket.SendAsync(Encoding.ASCII.GetBytes("POST /upload.php HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000000\r\n\r\n"));
            await socket.SendAsync(new byte[1000]);
            Assert.True(await Eventually.TrueAsync(async () => await InFlightAsync(proxy) == 1, Logged), $"upload {i} never reached the proxy");

            socket.LingerState = new LingerOption(true, 0); // closed with a reset, not a FIN
            socket.Close();
            var upload = i;
            Assert.True(await Eventually.TrueAsync(() => RequestLines(proxy) == upload, Logged), proxy.Output);
            if (enough?.Invoke() == true)
            {
                break;
            }
        }

        Assert.True(await Eventually.TrueAsync(async () => await InFlightAsync(proxy) == 0, Logged), "an upload is still in flight");
    }

    private static int RequestLines(ProxyProcess proxy) =>
        proxy.Output.Split('\n').Count(line => line.Contains("POST /upload.php → 400 client-error", StringComparison.Ordinal));

    private static async Task<int> InFlightAsync(ProxyProcess proxy) =>
        (await proxy.StatusAsync()).GetProperty("inFlight").EnumerateObject().Sum(cluster => cluster.Value.GetInt32());
}
