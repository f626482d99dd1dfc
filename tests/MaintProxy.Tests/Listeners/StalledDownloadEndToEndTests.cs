using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Listeners;

/// <summary>
/// A client that stops reading an HTTP/2 download (it sends no WINDOW_UPDATE): what README.md's
/// "Slow clients" table says happens, against the real proxy.
/// </summary>
public sealed class StalledDownloadEndToEndTests : EndToEndTest
{
    private const int FrameHeaderLength = 9;
    private const byte DataFrame = 0x0, HeadersFrame = 0x1, ResetStreamFrame = 0x3, SettingsFrame = 0x4, GoAwayFrame = 0x7;
    private const byte EndStreamAndHeaders = 0x5, Ack = 0x1;

    private protected override Func<HttpContext, Task>? BackendHandler => async context =>
    {
        var chunk = new byte[64 * 1024];
        for (var i = 0; i < 1024; i++)
        {
            await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
        }
    };

    [Fact]
    public async Task Http2DownloadNotRead_StreamIsResetAfterTheClustersActivityTimeout_ConnectionStays()
    {
        var http2Port = FreePort.Next();
        await using var proxy = await StartProxyAsync(new()
        {
            ["Kestrel:Endpoints:H2:Url"] = $"http://127.0.0.1:{http2Port}",
            ["Kestrel:Endpoints:H2:Protocols"] = "Http2",
            ["ReverseProxy:Clusters:app:HttpRequest:ActivityTimeout"] = "00:00:02",
        });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, http2Port);

        // The preface, empty SETTINGS (a 64 KiB window), and GET /big on stream 1; then nothing more.
        var authority = Encoding.ASCII.GetBytes("127.0.0.1");
        byte[] block = [0x82, 0x86, 0x04, 0x04, .. "/big"u8, 0x41, (byte)authority.Length, .. authority]; // HPACK: GET, http, :path, :authority
        await socket.SendAsync((byte[])[
            .. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8,
            .. Frame(SettingsFrame, 0, 0, []),
            .. Frame(SettingsFrame, Ack, 0, []),
            .. Frame(HeadersFrame, EndStreamAndHeaders, 1, block)]);

        var (dataBytes, ended) = await ReadUntilStreamEndsAsync(socket, TimeSpan.FromSeconds(60));

        Assert.Equal(ResetStreamFrame, ended);
        Assert.InRange(dataBytes, 1, 65535);
        Assert.True(await proxy.WaitForOutputAsync("GET /big → 200 client-error", TimeSpan.FromSeconds(10)), proxy.Output);
    }

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload)
    {
        var frame = new byte[FrameHeaderLength + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, FrameHeaderLength);
        return frame;
    }

    /// <summary>Reads frames, counting DATA bytes, until stream 1 is reset, the connection goes away or closes (0), or the time is up.</summary>
    private static async Task<(int DataBytes, byte Ended)> ReadUntilStreamEndsAsync(Socket socket, TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        var dataBytes = 0;
        while (!cts.IsCancellationRequested)
        {
            var read = await socket.ReceiveAsync(buffer, cts.Token);
            if (read == 0)
            {
                return (dataBytes, 0);
            }

            received.AddRange(buffer.AsSpan(0, read));
            while (received.Count >= FrameHeaderLength)
            {
                var length = (received[0] << 16) | (received[1] << 8) | received[2];
                if (received.Count < FrameHeaderLength + length)
                {
                    break;
                }

                var type = received[3];
                received.RemoveRange(0, FrameHeaderLength + length);
                if (type == DataFrame)
                {
                    dataBytes += length;
                }
                else if (type is ResetStreamFrame or GoAwayFrame)
                {
                    return (dataBytes, type);
                }
            }
        }

        return (dataBytes, 0);
    }
}
