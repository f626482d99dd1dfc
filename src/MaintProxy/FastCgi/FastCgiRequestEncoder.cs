using System.Buffers.Binary;
using System.Text;

namespace MaintProxy.FastCgi;

/// <summary>Encodes the records a responder request starts with: BEGIN_REQUEST, then PARAMS.</summary>
internal static class FastCgiRequestEncoder
{
    private const int BeginRequestBodyLength = 8;

    public static void WriteBeginRequest(FastCgiWriteBuffer buffer, bool keepConnection)
    {
        FastCgiRecordHeader.Write(buffer.Append(FastCgiProtocol.HeaderLength), FastCgiRecordType.BeginRequest, BeginRequestBodyLength);
        var body = buffer.Append(BeginRequestBodyLength);
        body.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(body, FastCgiProtocol.ResponderRole);
        body[2] = keepConnection ? FastCgiProtocol.KeepConnFlag : (byte)0;
    }

    /// <summary>
    /// Writes the pairs as PARAMS records, starting a new record whenever the next pair would not
    /// fit whole (a pair is never split across records), then the empty PARAMS record that ends the stream.
    /// </summary>
    /// <exception cref="FastCgiParamsTooLargeException">One pair is larger than a record can hold.</exception>
    public static void WriteParams(FastCgiWriteBuffer buffer, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var recordStart = -1;
        var contentLength = 0;
        foreach (var (name, value) in parameters)
        {
            var valueEncoding = ValueEncoding(name);
            var nameLength = Encoding.UTF8.GetByteCount(name);
            var valueLength = valueEncoding.GetByteCount(value);
            var pairLength = LengthSize(nameLength) + LengthSize(valueLength) + nameLength + valueLength;
            if (pairLength > FastCgiProtocol.MaxContentLength)
            {
                throw new FastCgiParamsTooLargeException(name, pairLength);
            }

            if (recordStart >= 0 && contentLength + pairLength > FastCgiProtocol.MaxContentLength)
            {
                EndRecord(buffer, FastCgiRecordType.Params, recordStart, contentLength);
                recordStart = -1;
            }

            if (recordStart < 0)
            {
                recordStart = buffer.Length;
                contentLength = 0;
                buffer.Append(FastCgiProtocol.HeaderLength);
            }

            var pair = buffer.Append(pairLength);
            var offset = WriteLength(pair, nameLength);
            offset += WriteLength(pair[offset..], valueLength);
            offset += Encoding.UTF8.GetBytes(name, pair[offset..]);
            valueEncoding.GetBytes(value, pair[offset..]);
            contentLength += pairLength;
        }

        if (recordStart >= 0)
        {
            EndRecord(buffer, FastCgiRecordType.Params, recordStart, contentLength);
        }

        WriteEmptyRecord(buffer, FastCgiRecordType.Params);
    }

    /// <summary>Writes a record with no content: the end of a PARAMS or STDIN stream.</summary>
    public static void WriteEmptyRecord(FastCgiWriteBuffer buffer, FastCgiRecordType type) =>
        FastCgiRecordHeader.Write(buffer.Append(FastCgiProtocol.HeaderLength), type, 0);

    /// <summary>Writes one whole record around <paramref name="content"/> (at most 65,535 bytes).</summary>
    public static void WriteRecord(FastCgiWriteBuffer buffer, FastCgiRecordType type, ReadOnlySpan<byte> content)
    {
        var recordStart = buffer.Length;
        buffer.Append(FastCgiProtocol.HeaderLength);
        content.CopyTo(buffer.Append(content.Length));
        EndRecord(buffer, type, recordStart, content.Length);
    }

    // HTTP_* variables are request header values, which Kestrel reads one char per byte (Latin-1):
    // written back the same way, they reach the application as the client sent them. Paths and the
    // rest are decoded text, written as UTF-8.
    private static Encoding ValueEncoding(string name) =>
        name.StartsWith("HTTP_", StringComparison.Ordinal) ? Encoding.Latin1 : Encoding.UTF8;

    public static int LengthSize(int length) => length < 0x80 ? 1 : 4;

    private static int WriteLength(Span<byte> destination, int length)
    {
        if (length < 0x80)
        {
            destination[0] = (byte)length;
            return 1;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)length | 0x8000_0000u);
        return 4;
    }

    private static void EndRecord(FastCgiWriteBuffer buffer, FastCgiRecordType type, int recordStart, int contentLength)
    {
        FastCgiRecordHeader.Write(buffer.At(recordStart, FastCgiProtocol.HeaderLength), type, contentLength);
        buffer.Append(FastCgiProtocol.PaddingFor(contentLength)).Clear();
    }
}
