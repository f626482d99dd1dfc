namespace MaintProxy.FastCgi;

/// <summary>
/// A growable byte buffer that one connection reuses request after request, so that BEGIN_REQUEST
/// and every PARAMS record leave in one write. A plain array, not a pooled one: a write still
/// pending when the connection is aborted must never read memory someone else has rented.
/// </summary>
internal sealed class FastCgiWriteBuffer
{
    private byte[] _buffer;

    public FastCgiWriteBuffer(int initialCapacity = 4096) => _buffer = new byte[initialCapacity];

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Appends <paramref name="count"/> bytes and returns them for the caller to fill.</summary>
    public Span<byte> Append(int count)
    {
        EnsureCapacity(Length + count);
        var span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }

    /// <summary>Bytes already appended, for filling in a header once its record's length is known.</summary>
    public Span<byte> At(int offset, int count) => _buffer.AsSpan(offset, count);

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer.Length)
        {
            return;
        }

        var larger = new byte[Math.Max(needed, _buffer.Length * 2)];
        _buffer.AsSpan(0, Length).CopyTo(larger);
        _buffer = larger;
    }
}
