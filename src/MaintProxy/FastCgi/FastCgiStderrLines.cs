using System.Text;
using MaintProxy.Hosting;

namespace MaintProxy.FastCgi;

/// <summary>Cuts what the application writes to STDERR into lines, however the records split it.</summary>
internal sealed class FastCgiStderrLines
{
    private const int MaxLineBytes = 8 * 1024;

    private readonly Action<string> _emit;
    private readonly byte[] _partial = new byte[MaxLineBytes];
    private int _length;

    public FastCgiStderrLines(Action<string> emit) => _emit = emit;

    public void Add(ReadOnlySpan<byte> content)
    {
        while (!content.IsEmpty)
        {
            var newline = content.IndexOf((byte)'\n');
            var piece = newline < 0 ? content : content[..newline];
            var room = MaxLineBytes - _length;
            piece[..Math.Min(piece.Length, room)].CopyTo(_partial.AsSpan(_length));
            _length += Math.Min(piece.Length, room);
            if (newline < 0)
            {
                if (_length == MaxLineBytes)
                {
                    Flush();
                }

                return;
            }

            Flush();
            content = content[(newline + 1)..];
        }
    }

    /// <summary>Emits what is left of an unfinished line.</summary>
    public void Flush()
    {
        var line = _partial.AsSpan(0, _length).TrimEnd("\r"u8);
        _length = 0;
        if (!line.IsEmpty)
        {
            _emit(ControlCharacterEscaper.Escape(Encoding.UTF8.GetString(line)));
        }
    }
}
