using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// A client that sends a GET and then reads nothing until told to, with a small receive buffer, so that
/// a large answer fills the socket buffers and the proxy's writes to it stop.
/// </summary>
internal sealed class StalledReader : IDisposable
{
    private readonly Socket _socket;

    private StalledReader(Socket socket) => _socket = socket;

    public static async Task<StalledReader> SendAsync(int port, string pathAndQuery)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {pathAndQuery} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
            return new StalledReader(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Waits (at most 10 s) until the first bytes of the answer are there: the request has a worker.</summary>
    public async Task<bool> WaitForAnswerAsync()
    {
        for (var i = 0; i < 200; i++)
        {
            if (_socket.Available > 0)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    /// <summary>Reads the answer to its end: the head, and the body's length and whether it is download.php's pattern throughout.</summary>
    public async Task<(string Head, long BodyLength, bool PatternIntact)> ReadToEndAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[64 * 1024];
        var head = new StringBuilder();
        var pattern = "0123456789abcdef"u8.ToArray();
        long body = 0;
        var intact = true;
        var inBody = false;
        while (true)
        {
            var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (read == 0)
            {
                return (head.ToString(), body, intact);
            }

            var start = 0;
            if (!inBody)
            {
                head.Append(Encoding.Latin1.GetString(buffer, 0, read));
                var end = head.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0)
                {
                    continue;
                }

                inBody = true;
                start = read - (head.Length - end - 4);
                head.Length = end;
            }

            for (var i = start; i < read; i++, body++)
            {
                intact &= buffer[i] == pattern[body % pattern.Length];
            }
        }
    }

    /// <summary>Leaves with a reset, as a client that gave up.</summary>
    public void Abort()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    public void Dispose() => _socket.Dispose();
}
