using System.Buffers;

namespace MaintProxy.FastCgi;

/// <summary>
/// A write-only stream that frames what is written to it as STDIN records. The request body's copier
/// swallows write errors, so the first one is kept in <see cref="Error"/> for the caller to check.
/// </summary>
internal sealed class FastCgiStdinStream : Stream
{
    /// <summary>A multiple of 8, so full records need no padding.</summary>
    private const int MaxRecordContent = 32 * 1024;

    private readonly Stream _connection;
    private byte[]? _frame = ArrayPool<byte>.Shared.Rent(FastCgiProtocol.HeaderLength + MaxRecordContent + 8);

    public FastCgiStdinStream(Stream connection) => _connection = connection;

    public Exception? Error { get; private set; }

    public long BytesWritten { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var frame = _frame ?? throw new ObjectDisposedException(nameof(FastCgiStdinStream));
        try
        {
            while (!buffer.IsEmpty)
            {
                var count = Math.Min(buffer.Length, MaxRecordContent);
                FastCgiRecordHeader.Write(frame, FastCgiRecordType.Stdin, count);
                buffer.Span[..count].CopyTo(frame.AsSpan(FastCgiProtocol.HeaderLength));
                var padding = FastCgiProtocol.PaddingFor(count);
                frame.AsSpan(FastCgiProtocol.HeaderLength + count, padding).Clear();
                await _connection.WriteAsync(frame.AsMemory(0, FastCgiProtocol.HeaderLength + count + padding), cancellationToken);
                BytesWritten += count;
                buffer = buffer[count..];
            }
        }
        catch (Exception ex)
        {
            Error ??= ex;
            throw;
        }
    }

    /// <summary>Writes the empty STDIN record that tells the application the body is complete.</summary>
    public ValueTask WriteEndAsync(CancellationToken cancellationToken)
    {
        var frame = _frame ?? throw new ObjectDisposedException(nameof(FastCgiStdinStream));
        FastCgiRecordHeader.Write(frame, FastCgiRecordType.Stdin, 0);
        return _connection.WriteAsync(frame.AsMemory(0, FastCgiProtocol.HeaderLength), cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _frame is { } frame)
        {
            _frame = null;
            ArrayPool<byte>.Shared.Return(frame);
        }

        base.Dispose(disposing);
    }
}
