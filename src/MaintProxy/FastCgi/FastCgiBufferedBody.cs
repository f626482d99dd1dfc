using MaintProxy.Files;

namespace MaintProxy.FastCgi;

/// <summary>
/// Holds a request body until it is whole (CGI needs CONTENT_LENGTH up front, and a buffered body must
/// not hold a worker while it arrives): in memory up to a threshold, then in an unnamed temporary file
/// (created in <c>TMPDIR</c> and unlinked at once), never beyond the cap.
/// </summary>
internal sealed class FastCgiBufferedBody : Stream
{
    // Small, as nginx's client_body_buffer_size: each stalled upload holds at most this much memory.
    private const int MemoryThreshold = 64 * 1024;

    private readonly long _cap;
    private Stream _inner = new MemoryStream();

    public FastCgiBufferedBody(long cap) => _cap = cap;

    /// <summary>True once the body passed the cap; everything after that is dropped.</summary>
    public bool Exceeded { get; private set; }

    /// <summary>Set when the temporary file could not be created or written (a full disk); the body is incomplete.</summary>
    public Exception? StorageError { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => true;

    public override long Length => _inner.Length;

    public override long Position { get => _inner.Position; set => _inner.Position = value; }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_inner.Length + buffer.Length > _cap)
        {
            Exceeded = true;
            throw new IOException($"the request body exceeds the {_cap}-byte cap for bodies without Content-Length");
        }

        try
        {
            if (_inner is MemoryStream memory && memory.Length + buffer.Length > MemoryThreshold)
            {
                // The file is ours to close from the moment it exists, also if the client leaves during the copy.
                // It is unbuffered (the writes are the copy's large chunks anyway): a FileStream whose buffer
                // cannot be flushed to a full disk would keep its descriptor, and the space, until a garbage collection.
                _inner = UnlinkedTemporaryFile.Create("maintproxy-body");
                memory.Position = 0;
                await memory.CopyToAsync(_inner, cancellationToken);
                await memory.DisposeAsync();
            }

            await _inner.WriteAsync(buffer, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Kept, because the caller of the copy may not see it: YARP reports a failing destination
            // to the transport only, and would let the body look complete.
            StorageError = ex;
            throw;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
