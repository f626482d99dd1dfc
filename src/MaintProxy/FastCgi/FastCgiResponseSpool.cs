using System.Buffers;
using MaintProxy.Files;
using Microsoft.Win32.SafeHandles;

namespace MaintProxy.FastCgi;

/// <summary>
/// The part of a response body that the FastCGI application has sent and the client has not taken yet,
/// in order: in pooled memory up to <see cref="MemorySegments"/> segments, then in an unnamed temporary
/// file (created in <c>TMPDIR</c> and unlinked at once) that grows to at most the file cap. One writer
/// (the pump reading from the server) and one reader (the copy to the client).
/// </summary>
internal sealed class FastCgiResponseSpool : IDisposable
{
    public const int SegmentSize = 16 * 1024;

    // 64 KiB, as nginx's default fastcgi_buffers (8 × 8k on 64-bit): the memory a slow client holds.
    private const int MemorySegments = 4;

    private readonly Lock _lock = new();
    private readonly Queue<Part> _parts = new();
    private Part? _tail;
    private readonly long _fileCap;
    private FileStream? _file;
    private SafeFileHandle? _fileHandle;
    private bool _fileFailed;
    private long _fileWritten;
    private int _memorySegments;
    private bool _finished;
    private Exception? _error;
    private bool _disposed;
    private TaskCompletionSource? _dataWaiter;
    private TaskCompletionSource? _roomWaiter;

    public FastCgiResponseSpool(long fileCap) => _fileCap = fileCap;

    /// <summary>Bytes written to the temporary file so far (it is never rewound).</summary>
    public long FileBytes => Volatile.Read(ref _fileWritten);

    /// <summary>
    /// Takes <paramref name="count"/> bytes of <paramref name="segment"/>, a rented array of
    /// <see cref="SegmentSize"/> bytes. Returns the array the writer reads into next (the same one
    /// when its bytes were copied or written to the file). Waits while memory is full and the file
    /// cannot take more: that is backpressure on the server. A temporary file that cannot be created or
    /// written (a full disk) is handed to <paramref name="fileFailed"/> once and not used again.
    /// </summary>
    public async ValueTask<byte[]> AppendAsync(byte[] segment, int count, Action<Exception> fileFailed, CancellationToken cancellationToken)
    {
        while (true)
        {
            SafeFileHandle? file = null;
            long fileOffset = 0;
            Task room = Task.CompletedTask;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_tail is { Segment: { } tailSegment } tail && SegmentSize - tail.End >= count)
                {
                    // Small pieces (a streamed page, server-sent events) share a segment.
                    segment.AsSpan(0, count).CopyTo(tailSegment.AsSpan((int)tail.End));
                    tail.End += count;
                    SignalData();
                    return segment;
                }

                if (_memorySegments < MemorySegments)
                {
                    Enqueue(new Part { Segment = segment, End = count });
                    _memorySegments++;
                    return ArrayPool<byte>.Shared.Rent(SegmentSize);
                }

                if (!_fileFailed && _fileWritten + count <= _fileCap)
                {
                    try
                    {
                        if (_fileHandle is null)
                        {
                            _file = UnlinkedTemporaryFile.Create("maintproxy-response");
                            _fileHandle = _file.SafeFileHandle;
                        }

                        file = _fileHandle;
                        fileOffset = _fileWritten;
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        _fileFailed = true;
                        fileFailed(ex);
                        continue;
                    }
                }
                else
                {
                    _roomWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    room = _roomWaiter.Task;
                }
            }

            if (file is null)
            {
                await room.WaitAsync(cancellationToken);
                continue;
            }

            try
            {
                await RandomAccess.WriteAsync(file, segment.AsMemory(0, count), fileOffset, cancellationToken);
            }
            catch (IOException ex)
            {
                _fileFailed = true;
                fileFailed(ex);
                continue;
            }

            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _fileWritten = fileOffset + count;
                if (_tail is { Segment: null } tail && tail.FileOffset + tail.End == fileOffset)
                {
                    tail.End += count;
                    SignalData();
                }
                else
                {
                    Enqueue(new Part { FileOffset = fileOffset, End = count });
                }

                return segment;
            }
        }
    }

    /// <summary>The writer is done: the reader gets what is spooled, then the end, or <paramref name="error"/>.</summary>
    public void Finish(Exception? error)
    {
        lock (_lock)
        {
            _finished = true;
            _error = error;
            SignalData();
        }
    }

    /// <summary>Between one byte and <c>destination.Length</c> bytes, as soon as any are there; 0 at the end.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            SafeFileHandle? file = null;
            long fileOffset = 0;
            var wanted = 0;
            Part? filePart = null;
            Task data;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                while (_parts.TryPeek(out var head))
                {
                    var available = head.End - head.Start;
                    if (available == 0)
                    {
                        if (_parts.Count == 1 && !_finished)
                        {
                            break; // the writer may still add to it
                        }

                        Dequeue();
                        continue;
                    }

                    wanted = (int)Math.Min(destination.Length, available);
                    if (head.Segment is { } segment)
                    {
                        segment.AsMemory((int)head.Start, wanted).CopyTo(destination);
                        head.Start += wanted;
                        return wanted;
                    }

                    filePart = head;
                    file = _fileHandle;
                    fileOffset = head.FileOffset + head.Start;
                    break;
                }

                if (filePart is null)
                {
                    if (_finished)
                    {
                        return _error is null ? 0 : throw _error;
                    }

                    _dataWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    data = _dataWaiter.Task;
                }
                else
                {
                    data = Task.CompletedTask;
                }
            }

            if (filePart is null)
            {
                await data.WaitAsync(cancellationToken);
                continue;
            }

            // Only this reader moves a part's Start; the writer may extend its End, never shrink it.
            var read = await RandomAccess.ReadAsync(file!, destination[..wanted], fileOffset, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the spooled FastCGI response could not be read back from its temporary file");
            }

            lock (_lock)
            {
                filePart.Start += read;
            }

            return read;
        }
    }

    /// <summary>Frees the memory and closes the (already unlinked) file at once; the writer's own array stays its own.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            while (_parts.TryDequeue(out var part))
            {
                if (part.Segment is { } segment)
                {
                    ArrayPool<byte>.Shared.Return(segment);
                }
            }

            _file?.Dispose();
            _dataWaiter?.TrySetCanceled();
            _roomWaiter?.TrySetCanceled();
        }
    }

    private void Enqueue(Part part)
    {
        _parts.Enqueue(part);
        _tail = part;
        SignalData();
    }

    private void Dequeue()
    {
        var part = _parts.Dequeue();
        if (ReferenceEquals(part, _tail))
        {
            _tail = null;
        }

        if (part.Segment is { } segment)
        {
            ArrayPool<byte>.Shared.Return(segment);
            _memorySegments--;
            SignalRoom();
        }
    }

    private void SignalData()
    {
        _dataWaiter?.TrySetResult();
        _dataWaiter = null;
    }

    private void SignalRoom()
    {
        _roomWaiter?.TrySetResult();
        _roomWaiter = null;
    }

    /// <summary>A memory segment's bytes [Start, End), or the file's bytes [FileOffset + Start, FileOffset + End).</summary>
    private sealed class Part
    {
        public byte[]? Segment;
        public long FileOffset;
        public long Start;
        public long End;
    }
}
