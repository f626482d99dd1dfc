using System.Net.Sockets;

namespace MaintProxy.FastCgi;

/// <summary>One connection to a FastCGI server, carrying one request at a time.</summary>
internal sealed class FastCgiConnection : IDisposable
{
    private readonly Socket _socket;
    private int _disposed;

    private FastCgiConnection(Socket socket)
    {
        _socket = socket;
        Stream = new NetworkStream(socket, ownsSocket: true);
        Reader = new FastCgiRecordReader(Stream);
        WriteBuffer = new FastCgiWriteBuffer();
    }

    public NetworkStream Stream { get; }

    public FastCgiRecordReader Reader { get; }

    public FastCgiWriteBuffer WriteBuffer { get; }

    /// <summary>How many requests this connection has started, including the current one.</summary>
    public int RequestCount { get; set; }

    /// <summary>When the connection went back to the pool, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long IdleSince { get; set; }

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <exception cref="HttpRequestException">The server could not be reached in time.</exception>
    public static async ValueTask<FastCgiConnection> ConnectAsync(FastCgiEndpoint endpoint, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var family = endpoint.EndPoint.AddressFamily;
        var socket = endpoint.IsUnixSocket
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : family == AddressFamily.Unspecified
                ? new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
                : new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout);
        try
        {
            await socket.ConnectAsync(endpoint.EndPoint, timeout.Token);
            return new FastCgiConnection(socket);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new HttpRequestException(HttpRequestError.ConnectionError,
                $"connecting to the FastCGI server {endpoint.Address} took longer than {connectTimeout.TotalSeconds:0.###} s");
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new HttpRequestException(HttpRequestError.ConnectionError,
                $"cannot connect to the FastCGI server {endpoint.Address}: {FastCgiConnectFailure.Describe(ex, endpoint)}", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// True when an idle connection can carry another request: the peer has neither closed it
    /// (a worker recycled after <c>pm.max_requests</c>) nor sent anything unasked.
    /// </summary>
    public bool IsReusableWhenIdle()
    {
        try
        {
            return !IsDisposed && !Reader.HasBufferedData && !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Closes the socket; safe from any thread, and pending reads and writes then fail.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Stream.Dispose();
    }
}
