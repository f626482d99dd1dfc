using System.Net.Sockets;
using System.Text;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>HTTP/1.1 as bytes on a socket, for what HttpClient would not send or would decode.</summary>
internal static class RawHttp
{
    /// <summary>Sends one request (head bytes, no body) with <c>Connection: close</c> and returns every byte of the answer.</summary>
    public static async Task<byte[]> ExchangeAsync(int port, byte[] head)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        await socket.SendAsync(head);
        return await ReadToEndAsync(socket, TimeSpan.FromSeconds(10));
    }

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

    /// <summary>Reads until the peer closes, or returns what came within the timeout.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return received.ToArray();
    }

    public static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
