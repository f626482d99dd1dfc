using System.Runtime.CompilerServices;

namespace MaintProxy.Maintenance;

/// <summary>
/// The body of a forwarded request, as the switch sees it: whether the client is still sending it.
/// A request whose body is still streaming (an upload, a client-streaming or bidirectional gRPC call)
/// would go on delivering data to the backend after <c>down.sh</c> returned; the switch closes it, and
/// from then on no read returns data. A body already read to its end is never closed: the response
/// (a long download) goes on.
/// </summary>
internal sealed class StreamingRequestBody : Stream
{
    private const int Streaming = 0;
    private const int Complete = 1;
    private const int Closed = 2;

    private readonly Stream _inner;
    private readonly HttpContext _context;
    private int _state;

    private StreamingRequestBody(Stream inner, HttpContext context)
    {
        _inner = inner;
        _context = context;
    }

    /// <summary>Put in place of the request's body.</summary>
    public static StreamingRequestBody Install(HttpContext context)
    {
        var body = new StreamingRequestBody(context.Request.Body, context);
        context.Request.Body = body;
        return body;
    }

    /// <summary>Whether the switch closed the request.</summary>
    public bool WasClosed => Volatile.Read(ref _state) == Closed;

    /// <summary>
    /// Aborts the request, once, if its body is still streaming in a conversation with the backend: a
    /// gRPC call, or any request whose answer has started while the client still sends. Such a stream
    /// never ends by itself, like a WebSocket. An upload whose answer has not started is a request
    /// admitted before the switch, like any other: it finishes, and <c>--drain</c> waits for it.
    /// </summary>
    public bool TryClose()
    {
        if (!_context.Response.HasStarted && !MaintenancePolicy.IsGrpc(_context.Request))
        {
            return false;
        }

        if (Interlocked.CompareExchange(ref _state, Closed, Streaming) != Streaming)
        {
            return false;
        }

        _context.Abort();
        return true;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Passed(_inner.Read(buffer, offset, count), count);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Passed(await _inner.ReadAsync(buffer, cancellationToken), buffer.Length);

    private int Passed(int read, int asked)
    {
        // A zero-byte read (YARP waits for data that way) returns 0 with the body still streaming.
        if (read == 0 && asked > 0)
        {
            Interlocked.CompareExchange(ref _state, Complete, Streaming);
        }

        // Read before the switch closed the request, returned after: it never leaves for the backend.
        return Volatile.Read(ref _state) == Closed
            ? throw new IOException("The request was closed by the maintenance switch.")
            : read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
