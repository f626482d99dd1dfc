using System.Text;

namespace MaintProxy.Hosting;

/// <summary>
/// Standard output for a busy proxy: lines are appended to a memory buffer and written by one
/// background thread, many lines per write(2), at most about a millisecond after they were logged.
/// The console sink's per-line flush costs a system call and a lock hand-off on the request path
/// otherwise, which measured as the larger part of the request log's cost (see the README's
/// Benchmarks section). Writers wait (rather than drop lines or grow without bound) when the
/// output falls behind by <see cref="MaxPendingBytes"/>.
/// </summary>
internal sealed class CoalescingConsoleWriter : TextWriter
{
    public const int MaxPendingBytes = 1 << 20;

    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(1);

    private readonly Stream _output;
    private readonly Encoder _encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
    private readonly Thread _flusher;
    private readonly object _gate = new();
    private byte[] _pending = new byte[64 * 1024];
    private byte[] _writing = new byte[64 * 1024];
    private int _pendingLength;
    private bool _flushRequested;
    private bool _writingBatch;
    private bool _stopped;

    public CoalescingConsoleWriter(Stream output)
    {
        _output = output;
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
            while (_pendingLength > 0 && _pendingLength + maxBytes > MaxPendingBytes && !_stopped)
            {
                RequestFlush();
                Monitor.Wait(_gate);
            }

            if (_pending.Length - _pendingLength < maxBytes)
            {
                Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + maxBytes));
            }

            _pendingLength += _encoder.GetBytes(buffer, _pending.AsSpan(_pendingLength), flush: false);
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

    /// <summary>Writes everything buffered so far before returning (process exit).</summary>
    public void Drain()
    {
        lock (_gate)
        {
            while (_writingBatch)
            {
                Monitor.Wait(_gate);
            }

            WriteOut(_pending, _pendingLength);
            _pendingLength = 0;
            Monitor.PulseAll(_gate);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Drain();
            lock (_gate)
            {
                _stopped = true;
                Monitor.PulseAll(_gate);
            }
        }

        base.Dispose(disposing);
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
