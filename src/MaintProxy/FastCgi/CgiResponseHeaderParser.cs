using System.Globalization;
using System.Text;

namespace MaintProxy.FastCgi;

/// <summary>
/// Collects the CGI header block from STDOUT, however the records cut it, until the empty line that
/// ends it, then reads it: <c>Status:</c> sets the status, a <c>Location</c> without one means 302.
/// </summary>
internal sealed class CgiResponseHeaderParser
{
    public const int DefaultMaxHeaderBytes = 64 * 1024;

    private readonly int _maxHeaderBytes;
    private byte[] _block = [];
    private int _length;
    private int _lineStart;

    public CgiResponseHeaderParser(int maxHeaderBytes = DefaultMaxHeaderBytes) => _maxHeaderBytes = maxHeaderBytes;

    /// <summary>
    /// Takes the next STDOUT bytes. Once the header block is complete, returns true with the head and
    /// how many of <paramref name="chunk"/>'s bytes belonged to it; the rest is the body's start.
    /// </summary>
    /// <exception cref="FastCgiProtocolException">The block is malformed or too large.</exception>
    public bool TryAdd(ReadOnlySpan<byte> chunk, out int consumed, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FastCgiResponseHead? head)
    {
        // The usual case: the whole header block came in the first read; parse it where it lies.
        if (_length == 0 && TryFindEnd(chunk, 0, 0, out var lineStart, out var blockEnd))
        {
            consumed = blockEnd;
            head = Parse(chunk[..lineStart]);
            return true;
        }

        head = null;
        var previous = _length;
        var room = _maxHeaderBytes + 2 - previous;
        Append(chunk[..Math.Min(chunk.Length, room)]);
        consumed = _length - previous;

        var block = _block.AsSpan(0, _length);
        if (TryFindEnd(block, previous, _lineStart, out _lineStart, out var end))
        {
            consumed = end - previous;
            head = Parse(block[.._lineStart]);
            return true;
        }

        if (_length > _maxHeaderBytes)
        {
            throw new FastCgiProtocolException($"the CGI response headers exceed {_maxHeaderBytes} bytes");
        }

        return false;
    }

    /// <summary>
    /// Scans from <paramref name="from"/> for the empty line that ends the block; <paramref name="lineStart"/>
    /// tracks where the current line began, across calls.
    /// </summary>
    private static bool TryFindEnd(ReadOnlySpan<byte> block, int from, int currentLineStart, out int lineStart, out int blockEnd)
    {
        lineStart = currentLineStart;
        for (var i = from; i < block.Length; i++)
        {
            if (block[i] != '\n')
            {
                continue;
            }

            var lineLength = i - lineStart;
            if (lineLength == 0 || (lineLength == 1 && block[lineStart] == '\r'))
            {
                blockEnd = i + 1;
                return true;
            }

            lineStart = i + 1;
        }

        blockEnd = -1;
        return false;
    }

    private static FastCgiResponseHead Parse(ReadOnlySpan<byte> block)
    {
        var headers = new List<KeyValuePair<string, string>>();
        int? status = null;
        string? reason = null;
        var hasLocation = false;
        foreach (var range in block.Split((byte)'\n'))
        {
            var line = block[range];
            if (line.EndsWith("\r"u8))
            {
                line = line[..^1];
            }

            if (line.IsEmpty)
            {
                continue;
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon]))
            {
                throw new FastCgiProtocolException($"malformed CGI response header line '{Printable(line)}'");
            }

            var name = Encoding.ASCII.GetString(line[..colon]);
            var value = Encoding.Latin1.GetString(line[(colon + 1)..].Trim(" \t"u8));
            if (string.Equals(name, "Status", StringComparison.OrdinalIgnoreCase))
            {
                (status, reason) = ParseStatus(value);
                continue;
            }

            hasLocation |= string.Equals(name, "Location", StringComparison.OrdinalIgnoreCase);
            headers.Add(new(name, value));
        }

        return new FastCgiResponseHead(status ?? (hasLocation ? 302 : 200), reason, headers);
    }

    private static (int, string?) ParseStatus(string value)
    {
        var span = value.AsSpan();
        var space = span.IndexOf(' ');
        var codeText = space < 0 ? span : span[..space];
        if (codeText.Length != 3 || !int.TryParse(codeText, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 200 or > 599)
        {
            throw new FastCgiProtocolException($"malformed CGI Status header '{value}'");
        }

        var reason = space < 0 ? null : span[(space + 1)..].Trim().ToString();
        return (code, string.IsNullOrEmpty(reason) ? null : reason);
    }

    private static bool IsToken(ReadOnlySpan<byte> name)
    {
        foreach (var c in name)
        {
            if (c <= 32 || c >= 127 || c is (byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'@' or (byte)','
                or (byte)';' or (byte)':' or (byte)'\\' or (byte)'"' or (byte)'/' or (byte)'[' or (byte)']'
                or (byte)'?' or (byte)'=' or (byte)'{' or (byte)'}')
            {
                return false;
            }
        }

        return true;
    }

    private static string Printable(ReadOnlySpan<byte> line)
    {
        var text = Encoding.Latin1.GetString(line[..Math.Min(line.Length, 80)]);
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _block.Length)
        {
            Array.Resize(ref _block, Math.Max(Math.Max(_length + bytes.Length, _block.Length * 2), 1024));
        }

        bytes.CopyTo(_block.AsSpan(_length));
        _length += bytes.Length;
    }
}
