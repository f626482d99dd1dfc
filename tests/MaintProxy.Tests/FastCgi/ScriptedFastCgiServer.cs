using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// A loopback server that reads one FastCGI request per connection and answers with canned bytes
/// chosen by the request path: for responses no well-behaved FastCGI server would send.
/// </summary>
internal sealed class ScriptedFastCgiServer : IAsyncDisposable
{
    private static readonly byte[] StdinEnd = [1, 5, 0, 1, 0, 0, 0, 0];

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<string, byte[]> _answer;

    public ScriptedFastCgiServer(Func<string, byte[]> answer)
    {
        _answer = answer;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string Address => $"fcgi://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>One record: the 8-byte header, the content, no padding.</summary>
    public static byte[] Record(int type, byte[] content)
    {
        var record = new byte[8 + content.Length];
        record[0] = 1;
        record[1] = (byte)type;
        record[3] = 1;
        record[4] = (byte)(content.Length >> 8);
        record[5] = (byte)content.Length;
        content.CopyTo(record, 8);
        return record;
    }

    public static byte[] Stdout(string text) => Record(6, Encoding.ASCII.GetBytes(text));

    public static byte[] EndRequest(byte protocolStatus) => Record(3, [0, 0, 0, 0, protocolStatus, 0, 0, 0]);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(socket));
        }
    }

    private async Task AnswerAsync(Socket socket)
    {
        using (socket)
        {
            var received = new List<byte>();
            var buffer = new byte[4096];
            while (!Contains(received, StdinEnd))
            {
                var read = await socket.ReceiveAsync(buffer);
                if (read == 0)
                {
                    return;
                }

                received.AddRange(buffer.AsSpan(0, read));
            }

            var text = Encoding.Latin1.GetString(received.ToArray());
            var uriAt = text.IndexOf("REQUEST_URI", StringComparison.Ordinal);
            var path = uriAt < 0 ? "" : new string(text[(uriAt + "REQUEST_URI".Length)..].TakeWhile(c => c >= ' ').ToArray());
            await socket.SendAsync(_answer(path));
            socket.Shutdown(SocketShutdown.Both);
        }
    }

    private static bool Contains(List<byte> haystack, byte[] needle) =>
        haystack.Count >= needle.Length && System.MemoryExtensions.IndexOf(haystack.ToArray().AsSpan(), needle) >= 0;
}
