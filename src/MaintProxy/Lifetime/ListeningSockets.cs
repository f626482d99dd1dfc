using System.Net.Sockets;

namespace MaintProxy.Lifetime;

/// <summary>
/// Every listening socket Kestrel binds (configured, admin, demo, inherited from systemd), so that a
/// drain can stop accepting at once, before Kestrel's own stop closes the connections.
/// </summary>
internal sealed class ListeningSockets
{
    private readonly Lock _lock = new();
    private readonly List<Socket> _sockets = [];
    private bool _closed;

    public Socket Track(Socket socket)
    {
        lock (_lock)
        {
            if (!_closed)
            {
                _sockets.Add(socket);
                return socket;
            }
        }

        // Bound after the drain began (Kestrel binds nothing then): it accepts nothing either.
        socket.Dispose();
        return socket;
    }

    /// <summary>Closes them all: Kestrel's accept loops end as if it had unbound them itself.</summary>
    public void CloseAll()
    {
        Socket[] sockets;
        lock (_lock)
        {
            _closed = true;
            sockets = [.. _sockets];
            _sockets.Clear();
        }

        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }
}
