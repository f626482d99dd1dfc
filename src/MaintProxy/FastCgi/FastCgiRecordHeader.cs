using System.Buffers.Binary;

namespace MaintProxy.FastCgi;

/// <summary>The 8-byte header that starts every FastCGI record.</summary>
internal readonly record struct FastCgiRecordHeader(FastCgiRecordType Type, ushort RequestId, int ContentLength, byte PaddingLength)
{
    public static FastCgiRecordHeader Read(ReadOnlySpan<byte> source)
    {
        if (source[0] != FastCgiProtocol.Version)
        {
            throw new FastCgiProtocolException($"unsupported FastCGI version {source[0]} in a record header");
        }

        return new FastCgiRecordHeader(
            (FastCgiRecordType)source[1],
            BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
            source[6]);
    }

    /// <summary>Writes a header for <paramref name="contentLength"/> bytes with the padding the length calls for.</summary>
    public static void Write(Span<byte> destination, FastCgiRecordType type, int contentLength)
    {
        destination[0] = FastCgiProtocol.Version;
        destination[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], FastCgiProtocol.RequestId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], checked((ushort)contentLength));
        destination[6] = FastCgiProtocol.PaddingFor(contentLength);
        destination[7] = 0;
    }
}
