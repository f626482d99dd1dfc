using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace MaintProxy.Lifetime;

/// <summary>
/// The input of a cleartext HTTP/2 connection as Kestrel reads it, which the drain can wake. Kestrel, once
/// it sent its GOAWAY, closes the connection when its last stream's answer has been written, but it notices
/// that only when it next reads something from the client: a client that keeps its connection open and says
/// nothing holds the drain until <see cref="LifetimeOptions.DrainTimeout"/>. <see cref="Wake"/> hands Kestrel
/// an empty frame of an unassigned type, which HTTP/2 says to ignore (RFC 9113, section 5.5), so that Kestrel
/// looks again; an answer still waiting for the client's flow-control window keeps the connection open.
/// It is handed over only between two of the client's frames, never inside one or inside a header block.
/// </summary>
internal sealed class WakeableHttp2Input(PipeReader inner) : PipeReader
{
    private const int PrefaceLength = 24;
    private const int FrameHeaderLength = 9;
    private const byte HeadersType = 0x1;
    private const byte ContinuationType = 0x9;
    private const byte EndHeadersFlag = 0x4;

    // Length 0, an unassigned type, no flags, stream 0.
    private static readonly ReadOnlySequence<byte> IgnoredFrame = new([0, 0, 0, 0xEE, 0, 0, 0, 0, 0]);

    private readonly byte[] _header = new byte[FrameHeaderLength];
    private ReadOnlySequence<byte> _handedOut;
    private bool _ignoredFrameHandedOut;
    private long _bytesUntilFrameHeader = PrefaceLength;
    private int _headerBytes;
    private bool _inHeaderBlock;
    private volatile bool _wakeRequested;
    private volatile bool _cancelRequestedByReader;

    /// <summary>Makes Kestrel read once more, if it waits for the client; nothing else reaches it.</summary>
    public void Wake()
    {
        _wakeRequested = true;
        inner.CancelPendingRead();
    }

    // Pooled: Kestrel reads a connection's input many times, and the wrapper must not add an allocation each time.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        // A second pass only after a wake that came inside one of the client's frames; each pass takes one
        // wake, and the drain wakes at most once a check until it ends.
        while (true)
        {
            var result = await inner.ReadAsync(cancellationToken);
            if (!result.IsCanceled || !_wakeRequested || _cancelRequestedByReader)
            {
                if (result.IsCanceled)
                {
                    _cancelRequestedByReader = false;
                }

                _handedOut = result.Buffer;
                return result;
            }

            _wakeRequested = false;
            if (!result.Buffer.IsEmpty || result.IsCompleted)
            {
                // The client's own bytes wake Kestrel.
                _handedOut = result.Buffer;
                return new ReadResult(result.Buffer, isCanceled: false, result.IsCompleted);
            }

            inner.AdvanceTo(result.Buffer.Start);
            if (_bytesUntilFrameHeader == 0 && _headerBytes == 0 && !_inHeaderBlock)
            {
                _ignoredFrameHandedOut = true;
                return new ReadResult(IgnoredFrame, isCanceled: false, isCompleted: false);
            }
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        if (result.IsCanceled && _wakeRequested && !_cancelRequestedByReader)
        {
            // A wake is for a reader that waits; one that only looks has nothing to be woken from.
            _wakeRequested = false;
            if (result.Buffer.IsEmpty && !result.IsCompleted)
            {
                inner.AdvanceTo(result.Buffer.Start);
                return false;
            }

            result = new ReadResult(result.Buffer, isCanceled: false, result.IsCompleted);
        }
        else if (result.IsCanceled)
        {
            _cancelRequestedByReader = false;
        }

        _handedOut = result.Buffer;
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_ignoredFrameHandedOut)
        {
            _ignoredFrameHandedOut = false;
            return;
        }

        Follow(_handedOut.Slice(_handedOut.Start, consumed));
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead()
    {
        _cancelRequestedByReader = true;
        inner.CancelPendingRead();
    }

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    // Keeps track of where the client's frames begin and end, through the bytes Kestrel consumed.
    private void Follow(ReadOnlySequence<byte> consumed)
    {
        foreach (var segment in consumed)
        {
            var bytes = segment.Span;
            while (!bytes.IsEmpty)
            {
                if (_bytesUntilFrameHeader > 0)
                {
                    var skipped = (int)Math.Min(_bytesUntilFrameHeader, bytes.Length);
                    _bytesUntilFrameHeader -= skipped;
                    bytes = bytes[skipped..];
                    continue;
                }

                var taken = Math.Min(FrameHeaderLength - _headerBytes, bytes.Length);
                bytes[..taken].CopyTo(_header.AsSpan(_headerBytes));
                _headerBytes += taken;
                bytes = bytes[taken..];
                if (_headerBytes == FrameHeaderLength)
                {
                    _headerBytes = 0;
                    _bytesUntilFrameHeader = (_header[0] << 16) | (_header[1] << 8) | _header[2];
                    if (_header[3] is HeadersType or ContinuationType)
                    {
                        _inHeaderBlock = (_header[4] & EndHeadersFlag) == 0;
                    }
                }
            }
        }
    }
}
