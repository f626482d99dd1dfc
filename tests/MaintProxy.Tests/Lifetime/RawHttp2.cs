using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Lifetime;

/// <summary>HTTP/2 frames written and read byte for byte, over a socket or TLS, for what HttpClient would not do (keep a connection open after a GOAWAY).</summary>
internal static class RawHttp2
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>An HTTP/2 client's preface, with a first window of <paramref name="streamWindow"/> bytes for each stream.</summary>
    public static byte[] Preface(int streamWindow) =>
        [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, .. Frame(0x4, 0, 0, [0, 0x4, (byte)(streamWindow >> 24), (byte)(streamWindow >> 16), (byte)(streamWindow >> 8), (byte)streamWindow])];

    public static byte[] Frame(byte type, byte flags, int stream, byte[] payload) =>
        [(byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, type, flags,
            (byte)(stream >> 24), (byte)(stream >> 16), (byte)(stream >> 8), (byte)stream, .. payload];

    /// <summary>A header field as an HPACK literal without indexing, its name and value not Huffman-coded.</summary>
    public static byte[] Literal(string name, string value) =>
        [0, (byte)name.Length, .. Encoding.ASCII.GetBytes(name), (byte)value.Length, .. Encoding.ASCII.GetBytes(value)];

    /// <summary>The HEADERS frame of a GET on stream 1 (END_STREAM, END_HEADERS) for localhost, with <paramref name="extra"/> header fields.</summary>
    public static byte[] Get(string scheme, string path, params byte[][] extra) =>
        Frame(0x1, 0x5, 1, [.. Literal(":method", "GET"), .. Literal(":scheme", scheme), .. Literal(":path", path),
            .. Literal(":authority", "localhost"), .. extra.SelectMany(field => field)]);

    /// <summary>A TLS client on <paramref name="socket"/> that trusts <paramref name="certificate"/> only and asks for HTTP/2 by ALPN.</summary>
    public static async Task<Stream> OverTlsAsync(Socket socket, TestCertificate certificate)
    {
        var tls = new SslStream(new NetworkStream(socket));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.Thumbprint,
        }).WaitAsync(Deadline);
        Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);
        return tls;
    }

    /// <summary>
    /// Reads frames, acknowledging the proxy's settings, until stream 1 brought <paramref name="untilBytes"/> bytes of
    /// DATA, ended, or the connection closed; returns how many DATA bytes came and whether the stream ended.
    /// </summary>
    public static async Task<(int Bytes, bool Ended)> ReceiveDataAsync(Stream connection, int untilBytes)
    {
        var pending = new List<byte>();
        var buffer = new byte[16 * 1024];
        var bytes = 0;
        for (var reads = 0; reads < 10_000 && bytes < untilBytes; reads++)
        {
            var read = await ReadOrZeroAsync(connection, buffer);
            if (read == 0)
            {
                return (bytes, false);
            }

            pending.AddRange(buffer.AsSpan(0, read));
            while (pending.Count >= 9 && pending.Count >= 9 + ((pending[0] << 16) | (pending[1] << 8) | pending[2]))
            {
                var length = (pending[0] << 16) | (pending[1] << 8) | pending[2];
                var (type, flags, stream) = (pending[3], pending[4], pending[8]);
                pending.RemoveRange(0, 9 + length);
                if (type == 0x4 && (flags & 0x1) == 0)
                {
                    await connection.WriteAsync(Frame(0x4, 0x1, 0, []));
                }
                else if (type == 0x0 && stream == 1)
                {
                    bytes += length;
                    if ((flags & 0x1) != 0)
                    {
                        return (bytes, true);
                    }
                }
            }
        }

        return (bytes, false);
    }

    /// <summary>Reads frames, acknowledging the proxy's settings, until a GOAWAY; false if the connection closed or no frame came in time.</summary>
    public static async Task<bool> ReceiveGoAwayAsync(Stream connection)
    {
        var pending = new List<byte>();
        var buffer = new byte[16 * 1024];
        for (var reads = 0; reads < 10_000; reads++)
        {
            var read = await connection.ReadAsync(buffer).AsTask().WaitAsync(Deadline);
            if (read == 0)
            {
                return false;
            }

            pending.AddRange(buffer.AsSpan(0, read));
            while (pending.Count >= 9 && pending.Count >= 9 + ((pending[0] << 16) | (pending[1] << 8) | pending[2]))
            {
                var length = (pending[0] << 16) | (pending[1] << 8) | pending[2];
                var (type, flags) = (pending[3], pending[4]);
                pending.RemoveRange(0, 9 + length);
                if (type == 0x4 && (flags & 0x1) == 0)
                {
                    await connection.WriteAsync(Frame(0x4, 0x1, 0, []));
                }
                else if (type == 0x7)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>What one read brings; 0 when the proxy ended the connection, by a reset included.</summary>
    private static async Task<int> ReadOrZeroAsync(Stream connection, byte[] buffer)
    {
        try
        {
            return await connection.ReadAsync(buffer).AsTask().WaitAsync(Deadline);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The connection ended from the proxy's side after what it still had to send (an HTTP/2 GOAWAY).</summary>
    public static async Task<bool> IsClosedAfterItsLastFramesAsync(Stream connection)
    {
        var buffer = new byte[1024];
        for (var reads = 0; reads < 1000; reads++)
        {
            if (await ReadOrZeroAsync(connection, buffer) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
