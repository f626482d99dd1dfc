using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// HTTP/1.1 written byte for byte on a loopback socket, for what HttpClient would not send (a header
/// repeated on its own lines, a body on a GET, header bytes that are not ASCII) or would decode.
/// </summary>
internal static class RawHttp
{
    /// <summary>
    /// Sends <paramref name="request"/> as written (its header block must end with an empty line) with
    /// <c>Connection: close</c> added, and returns what came back until the server closed.
    /// </summary>
    public static async Task<RawResponse> SendAsync(int port, string request)
    {
        var head = request.IndexOf("\r\n", StringComparison.Ordinal);
        var answer = await ExchangeAsync(port, Encoding.ASCII.GetBytes(request.Insert(head + 2, "Connection: close\r\n")));
        return new RawResponse(Encoding.ASCII.GetString(answer));
    }

    /// <summary>Sends the bytes as they are and returns every byte of the answer, until the server closes.</summary>
    public static async Task<byte[]> ExchangeAsync(int port, byte[] request)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        await socket.SendAsync(request, cts.Token);
        using var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, cts.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }

    /// <summary>A GET-style request head: the request line, Host, <c>Connection: close</c>, then the given header lines as bytes.</summary>
    public static byte[] Head(string requestLine, params byte[][] headerLines)
    {
        var head = new List<byte>(Encoding.ASCII.GetBytes($"{requestLine}\r\nHost: 127.0.0.1\r\nConnection: close\r\n"));
        foreach (var line in headerLines)
        {
            head.AddRange(line);
            head.AddRange("\r\n"u8.ToArray());
        }

        head.AddRange("\r\n"u8.ToArray());
        return [.. head];
    }

    public static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
