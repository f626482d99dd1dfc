namespace MaintProxy.FastCgi;

/// <summary>
/// Reads records from a connection through a small buffer; large content goes straight to the caller.
/// The buffer is a plain array, not a pooled one: a read still pending when the connection is
/// aborted must never write into memory someone else has rented.
/// </summary>
internal sealed class FastCgiRecordReader
{
    private const int BufferSize = 16 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;

    public FastCgiRecordReader(Stream stream) => _stream = stream;

    /// <summary>Bytes received since <see cref="ResetCounter"/>: zero means the peer never answered.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>True when bytes are waiting that no record has asked for yet.</summary>
    public bool HasBufferedData => _end > _start;

    public void ResetCounter() => BytesReceived = 0;

    public async ValueTask<FastCgiRecordHeader> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        await FillAsync(FastCgiProtocol.HeaderLength, cancellationToken);
        var header = FastCgiRecordHeader.Read(_buffer.AsSpan(_start, FastCgiProtocol.HeaderLength));
        _start += FastCgiProtocol.HeaderLength;
        return header;
    }

    /// <summary>Reads between one byte and <c>destination.Length</c> bytes of content.</summary>
    public async ValueTask<int> ReadSomeAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        if (_end == _start && destination.Length >= BufferSize / 2)
        {
            var direct = await _stream.ReadAsync(destination, cancellationToken);
            if (direct == 0)
            {
                throw Truncated();
            }

            BytesReceived += direct;
            return direct;
        }

        await FillAsync(1, cancellationToken);
        var count = Math.Min(destination.Length, _end - _start);
        _buffer.AsMemory(_start, count).CopyTo(destination);
        _start += count;
        return count;
    }

    public async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (!destination.IsEmpty)
        {
            var count = await ReadSomeAsync(destination, cancellationToken);
            destination = destination[count..];
        }
    }

    public async ValueTask SkipAsync(int count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            await FillAsync(1, cancellationToken);
            var skipped = Math.Min(count, _end - _start);
            _start += skipped;
            count -= skipped;
        }
    }

    private async ValueTask FillAsync(int needed, CancellationToken cancellationToken)
    {
        if (_end - _start >= needed)
        {
            return;
        }

        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        while (_end < needed)
        {
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                throw Truncated();
            }

            BytesReceived += read;
            _end += read;
        }
    }

    private static FastCgiProtocolException Truncated() =>
        new("the FastCGI connection was closed before END_REQUEST");
}
