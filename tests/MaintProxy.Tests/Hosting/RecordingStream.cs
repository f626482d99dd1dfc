using System.Text;

namespace MaintProxy.Tests.Hosting;

/// <summary>A write-only stream that keeps what it was given; it can hold writes until released.</summary>
internal sealed class RecordingStream : Stream
{
    private readonly object _gate = new();
    private readonly MemoryStream _written = new();
    private readonly ManualResetEventSlim _open = new(initialState: true);

    public int WriteCalls { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return Encoding.UTF8.GetString(_written.ToArray());
            }
        }
    }

    public void Block() => _open.Reset();

    public void Release() => _open.Set();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _open.Wait();
        lock (_gate)
        {
            _written.Write(buffer, offset, count);
            WriteCalls++;
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _open.Dispose();
            _written.Dispose();
        }

        base.Dispose(disposing);
    }
}
