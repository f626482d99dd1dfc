using System.Net;
using System.Net.Sockets;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// A loopback listener that never accepts, its queue filled by connections of its own: further SYNs are
/// dropped, so a connection to it never completes (as to a host that is down).
/// </summary>
internal sealed class FullAcceptQueueListener : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = [];

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public static async Task<FullAcceptQueueListener> StartAsync()
    {
        var listener = new FullAcceptQueueListener();
        try
        {
            await listener.FillAsync();
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var filler in _fillers)
        {
            filler.Dispose();
        }

        _listener.Dispose();
    }

    private async Task FillAsync()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(0);
        var endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        for (var i = 0; i < 8; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _fillers.Add(filler);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                await filler.ConnectAsync(endpoint, cts.Token);
            }
            catch (OperationCanceledException)
            {
                return; // this one was dropped: the queue is full
            }
        }

        throw new InvalidOperationException("The accept queue never filled up.");
    }
}
