using System.Globalization;
using System.Text;

namespace MaintProxy.Hosting;

/// <summary>
/// Standard output for a busy proxy: lines are appended to a memory buffer and written by one
/// background thread, many lines per write(2), at most about a millisecond after they were logged.
/// The console sink's per-line flush costs a system call and a lock hand-off on the request path
/// otherwise, which measured as the larger part of the request log's cost (see the README's
/// Benchmarks section).
/// When the output falls behind by <see cref="MaxPendingBytes"/> (nobody reads the pipe: a stalled
/// journald or <c>docker logs</c>), a line waits for room at most the configured time, then is dropped
/// and counted, and so are the lines after it until the output takes a batch again; then a line says
/// how many were dropped. Lines that must be kept (see <see cref="KeptConsoleLines"/>) never wait:
/// they go into a reserve above the limit. So requests, the health path and the maintenance switch
/// keep being served whatever happens to the log.
/// </summary>
internal sealed class CoalescingConsoleWriter : TextWriter
{
    public const int MaxPendingBytes = 1 << 20;

    /// <summary>Room above <see cref="MaxPendingBytes"/> for lines that are kept and for the drop notices.</summary>
    public const int KeptReserveBytes = 256 * 1024;

    private const int MaxDrainWaits = 10_000;

    /// <summary>How long a stop waits for an output that takes nothing before it gives up the lines still buffered.</summary>
    public static readonly TimeSpan ExitStallTimeout = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(1);

    private readonly Stream _output;
    private readonly TimeSpan _maxWaitWhenFull;
    private readonly TimeProvider _timeProvider;
    private readonly Func<bool> _lineIsKept;
    private readonly Encoder _encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
    private readonly Thread _flusher;
    private readonly object _gate = new();
    private byte[] _pending = new byte[64 * 1024];
    private byte[] _writing = new byte[64 * 1024];
    private int _pendingLength;
    private bool _flushRequested;
    private bool _writingBatch;
    private bool _stopped;
    private bool _dropping;
    private long _batchesWritten;
    private long _dropped;
    private DateTimeOffset _firstDrop;
    private DateTimeOffset _lastDrop;

    /// <param name="output">Where the lines go.</param>
    /// <param name="maxWaitWhenFull">How long a line waits for room in a full buffer before it is dropped.</param>
    /// <param name="timeProvider">The clock of the waits and of the drop notices.</param>
    /// <param name="lineIsKept">Asked, only when the buffer is full, whether the line being written must be kept.</param>
    public CoalescingConsoleWriter(Stream output, TimeSpan maxWaitWhenFull, TimeProvider timeProvider, Func<bool> lineIsKept)
    {
        _output = output;
        _maxWaitWhenFull = maxWaitWhenFull;
        _timeProvider = timeProvider;
        _lineIsKept = lineIsKept;
        _flusher = new Thread(FlushLoop) { IsBackground = true, Name = "stdout writer" };
        _flusher.Start();
    }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Write(new ReadOnlySpan<char>(in value));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        var maxBytes = Encoding.UTF8.GetMaxByteCount(buffer.Length);
        lock (_gate)
        {
            if (_pendingLength > 0 && _pendingLength + maxBytes > MaxPendingBytes && !_stopped && !HasRoomInTime(maxBytes))
            {
                if (!_lineIsKept() || _pendingLength + maxBytes > MaxPendingBytes + KeptReserveBytes)
                {
                    CountDrop();
                    return;
                }
            }

            Append(buffer);
        }
    }

    public override void WriteLine(string? value)
    {
        // One append, so that a line is never split between two batches by another writer.
        Write(string.Concat(value, NewLine));
    }

    /// <summary>Asks for the buffered lines to be written soon; does not wait for it.</summary>
    public override void Flush()
    {
        lock (_gate)
        {
            RequestFlush();
        }
    }

    /// <summary>
    /// Waits for the buffered lines to be written (process exit) while the output keeps taking them;
    /// gives up once it has taken nothing for <paramref name="stallTimeout"/>, so that a stop is never
    /// held by a pipe nobody reads.
    /// </summary>
    public void Drain(TimeSpan stallTimeout)
    {
        lock (_gate)
        {
            RequestFlush();
            var progress = _batchesWritten;
            var since = _timeProvider.GetTimestamp();
            for (var i = 0; i < MaxDrainWaits && (_pendingLength > 0 || _writingBatch || _flushRequested) && _flusher.IsAlive; i++)
            {
                if (_batchesWritten != progress)
                {
                    progress = _batchesWritten;
                    since = _timeProvider.GetTimestamp();
                }

                var left = stallTimeout - _timeProvider.GetElapsedTime(since);
                if (left <= TimeSpan.Zero)
                {
                    return;
                }

                Monitor.Wait(_gate, left);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Drain(ExitStallTimeout);
            lock (_gate)
            {
                _stopped = true;
                Monitor.PulseAll(_gate);
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Waits (under the lock) for the flusher to make room, unless the line must not wait.</summary>
    private bool HasRoomInTime(int maxBytes)
    {
        if (_dropping || _maxWaitWhenFull <= TimeSpan.Zero || _lineIsKept())
        {
            return false;
        }

        var started = _timeProvider.GetTimestamp();
        while (_pendingLength > 0 && _pendingLength + maxBytes > MaxPendingBytes && !_stopped)
        {
            var left = _maxWaitWhenFull - _timeProvider.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                _dropping = true;
                return false;
            }

            RequestFlush();
            Monitor.Wait(_gate, left);
        }

        return true;
    }

    private void CountDrop()
    {
        var now = _timeProvider.GetLocalNow();
        if (_dropped == 0)
        {
            _firstDrop = now;
        }

        _dropped++;
        _lastDrop = now;
    }

    private void Append(ReadOnlySpan<char> text)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_pending.Length - _pendingLength < maxBytes)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + maxBytes));
        }

        _pendingLength += _encoder.GetBytes(text, _pending.AsSpan(_pendingLength), flush: false);
    }

    /// <summary>Once the output took a batch again: says how many lines were lost, and stops dropping.</summary>
    private void ReportDrops()
    {
        _dropping = false;
        if (_dropped == 0)
        {
            return;
        }

        Append(string.Create(CultureInfo.InvariantCulture,
            $"[{_timeProvider.GetLocalNow():HH:mm:ss.fff} WRN] {_dropped} log line(s) dropped from {_firstDrop:HH:mm:ss.fff} to {_lastDrop:HH:mm:ss.fff}: standard output was not read (ConsoleLog:MaxWaitWhenFull {_maxWaitWhenFull:c}){NewLine}"));
        _dropped = 0;
        RequestFlush();
    }

    private void RequestFlush()
    {
        if (!_flushRequested)
        {
            _flushRequested = true;
            Monitor.PulseAll(_gate);
        }
    }

    private void FlushLoop()
    {
        while (true)
        {
            int length;
            lock (_gate)
            {
                while (!_flushRequested && !_stopped)
                {
                    Monitor.Wait(_gate);
                }

                if (_stopped)
                {
                    return;
                }
            }

            // Lines logged meanwhile join this batch: under load one write(2) carries many lines.
            Thread.Sleep(Linger);

            byte[] batch;
            lock (_gate)
            {
                _flushRequested = false;
                (batch, _writing, _pending) = (_pending, _pending, _writing);
                length = _pendingLength;
                _pendingLength = 0;
                _writingBatch = true;
                Monitor.PulseAll(_gate);
            }

            WriteOut(batch, length);
            lock (_gate)
            {
                _writingBatch = false;
                _batchesWritten++;
                ReportDrops();
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void WriteOut(byte[] batch, int length)
    {
        if (length == 0)
        {
            return;
        }

        try
        {
            _output.Write(batch, 0, length);
            _output.Flush();
        }
        catch (IOException)
        {
            // Standard output is gone (closed pipe); there is nobody left to tell.
        }
    }
}
