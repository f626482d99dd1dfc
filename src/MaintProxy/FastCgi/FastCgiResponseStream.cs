using System.Buffers;

namespace MaintProxy.FastCgi;

/// <summary>
/// Reads the response body: first what came with the headers, then STDOUT straight from the
/// connection into the caller's buffer. Reaching END_REQUEST gives the connection back; disposing
/// earlier closes it. The client gets what the script's <c>Content-Length</c> announced, as from an HTTP
/// backend: output past it is read and dropped, as nginx does, and less is a broken-off answer. A
/// response that has no body (204, 304, an answer to HEAD) gets none, whatever the script wrote.
/// Once the body is more than what came with the headers and one read, a pump reads the rest from the
/// server as fast as it comes into a <see cref="FastCgiResponseSpool"/>, so that a slow client holds no
/// worker: the connection goes back to the pool at END_REQUEST, and the client reads from the spool.
/// </summary>
internal sealed class FastCgiResponseStream : Stream
{
    /// <summary>Output past the body read and dropped to keep the connection; beyond this, closing it is cheaper.</summary>
    private const int MaxDroppedBytes = 1024 * 1024;

    private readonly FastCgiExchange _exchange;
    private readonly long _declaredLength;
    private readonly long _spoolFileCap;
    private FastCgiResponseSpool? _spool;
    private long _left;
    private byte[]? _first;
    private int _firstStart;
    private readonly int _firstEnd;
    private bool _completed;

    /// <summary>
    /// Bytes [start, end) of the pooled buffer <c>first</c> are the body's beginning; this stream returns the buffer.
    /// <paramref name="bodyLength"/> is how many bytes the client gets: -1 for all until END_REQUEST, 0 for none.
    /// <paramref name="spoolFileCap"/> is how far the spool's temporary file may grow; a negative value turns
    /// the spool off, so that the body goes to the client with backpressure on the server.
    /// </summary>
    public FastCgiResponseStream(FastCgiExchange exchange, byte[] first, int start, int end, long bodyLength = -1, long spoolFileCap = -1)
    {
        _spoolFileCap = spoolFileCap;
        _exchange = exchange;
        _first = first;
        _firstStart = start;
        _firstEnd = end;
        _declaredLength = bodyLength;
        _left = bodyLength;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_spool is { } spool)
        {
            return await spool.ReadAsync(buffer, cancellationToken);
        }

        if (_left == 0)
        {
            ReturnFirst();
            await DropRestAsync(buffer, cancellationToken);
            return 0;
        }

        if (_left > 0 && _left < buffer.Length)
        {
            buffer = buffer[..(int)_left];
        }

        if (_first is { } first && _firstStart < _firstEnd)
        {
            var count = Math.Min(buffer.Length, _firstEnd - _firstStart);
            first.AsMemory(_firstStart, count).CopyTo(buffer);
            _firstStart += count;
            return Delivered(count);
        }

        ReturnFirst();
        if (_completed)
        {
            return 0;
        }

        int read;
        try
        {
            read = await _exchange.ReadStdoutAsync(buffer, cancellationToken);
        }
        catch (Exception ex)
        {
            _exchange.Abort();
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new IOException($"the FastCGI response broke off: {ex.Message}", ex);
        }

        if (read == 0)
        {
            _completed = true;
            _exchange.Complete();
            if (_left > 0)
            {
                throw ShortOfContentLength();
            }

            return 0;
        }

        var delivered = Delivered(read);
        if (_spoolFileCap >= 0 && _left != 0)
        {
            // More is coming: from now on it is read from the server whether or not the client keeps up.
            _spool = new FastCgiResponseSpool(_spoolFileCap);
            _ = PumpAsync(_spool);
        }

        return delivered;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReturnFirst();
            if (!_completed)
            {
                _exchange.Abort();
            }

            // A client that left, or an answer cut off: the spooled rest goes at once, file included.
            _spool?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Reads what is left of the script's output into <paramref name="scratch"/> and drops it, so that the
    /// connection can carry the next request. The client has its whole answer already: a failure here, or
    /// more output than is worth reading, only closes the connection.
    /// </summary>
    private async ValueTask DropRestAsync(Memory<byte> scratch, CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        try
        {
            for (var dropped = 0L; dropped <= MaxDroppedBytes;)
            {
                var read = await _exchange.ReadStdoutAsync(scratch, cancellationToken);
                if (read == 0)
                {
                    _exchange.Complete();
                    return;
                }

                dropped += read;
            }
        }
        catch (Exception ex) when (ex is IOException or FastCgiProtocolException or OperationCanceledException or ObjectDisposedException)
        {
        }

        _exchange.Abort();
    }

    /// <summary>
    /// Reads the rest of the body from the server into the spool until END_REQUEST, which gives the
    /// connection back whatever the client has taken so far. It ends early only when the server fails
    /// or the stream is disposed (the connection is then closed); the reader gets the failure after the
    /// bytes spooled before it.
    /// </summary>
    private async Task PumpAsync(FastCgiResponseSpool spool)
    {
        var segment = ArrayPool<byte>.Shared.Rent(FastCgiResponseSpool.SegmentSize);
        Exception? error = null;
        try
        {
            while (true)
            {
                if (_left == 0)
                {
                    await DropRestAsync(segment, CancellationToken.None);
                    break;
                }

                var size = _left > 0 && _left < FastCgiResponseSpool.SegmentSize ? (int)_left : FastCgiResponseSpool.SegmentSize;
                var read = await _exchange.ReadStdoutAsync(segment.AsMemory(0, size), CancellationToken.None);
                if (read == 0)
                {
                    _completed = true;
                    _exchange.Complete();
                    if (_left > 0)
                    {
                        error = ShortOfContentLength();
                    }

                    break;
                }

                Delivered(read);
                segment = await spool.AppendAsync(segment, read, _exchange.SpoolFileFailed, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            _exchange.Abort();
            error = ex is ObjectDisposedException or OperationCanceledException
                ? ex
                : new IOException($"the FastCGI response broke off: {ex.Message}", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(segment);
            spool.Finish(error);
        }
    }

    private IOException ShortOfContentLength() =>
        new($"the FastCGI response ended after {_declaredLength - _left} of the {_declaredLength} bytes its Content-Length announced");

    private int Delivered(int count)
    {
        if (_left > 0)
        {
            _left -= count;
        }

        return count;
    }

    private void ReturnFirst()
    {
        if (_first is { } first)
        {
            _first = null;
            ArrayPool<byte>.Shared.Return(first);
        }
    }
}
