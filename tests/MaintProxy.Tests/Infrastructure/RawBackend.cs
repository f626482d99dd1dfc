using System.Net;
using System.Net.Sockets;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// A backend on a loopback port that answers with exactly the bytes a test gives it, for answers a
/// real server would not send (a 204 with a length, header values that are not ASCII).
/// </summary>
internal sealed class RawBackend : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public RawBackend() => _listener.Start();

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

    /// <summary>Accepts one connection, reads one request head and sends <paramref name="answer"/>; returns the head it read.</summary>
    public async Task<byte[]> AnswerOnceAsync(byte[] answer)
    {
        using var connection = await _listener.AcceptSocketAsync();
        return await AnswerAsync(connection, answer);
    }

    /// <summary>
    /// Accepts one connection, reads one request head and sends <paramref name="answer"/>, leaving the
    /// connection open (as a keep-alive backend would) until the returned socket is disposed.
    /// </summary>
    public async Task<Socket> AnswerKeepingConnectionAsync(byte[] answer)
    {
        var connection = await _listener.AcceptSocketAsync();
        await AnswerAsync(connection, answer);
        return connection;
    }

    private static async Task<byte[]> AnswerAsync(Socket connection, byte[] answer)
    {
        var head = new List<byte>();
        var buffer = new byte[4096];
        while (!RawHttp.Contains([.. head], "\r\n\r\n"u8.ToArray()))
        {
            var read = await connection.ReceiveAsync(buffer);
            if (read == 0)
            {
                throw new IOException("the proxy closed before sending its request");
            }

            head.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        await connection.SendAsync(answer);
        return [.. head];
    }

    public void Dispose() => _listener.Stop();
}
