using System.Buffers.Binary;
using System.Text;
using MaintProxy.FastCgi;

namespace MaintProxy.Tests.FastCgi;

public sealed class FastCgiRequestEncoderTests
{
    [Fact]
    public void WriteBeginRequest_KeepConn_WritesResponderRoleAndFlag()
    {
        var buffer = new FastCgiWriteBuffer();

        FastCgiRequestEncoder.WriteBeginRequest(buffer, keepConnection: true);

        var bytes = buffer.Written.ToArray();
        Assert.Equal([1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0], bytes);
    }

    [Fact]
    public void WriteBeginRequest_NoKeepConn_ClearsFlag()
    {
        var buffer = new FastCgiWriteBuffer();

        FastCgiRequestEncoder.WriteBeginRequest(buffer, keepConnection: false);

        Assert.Equal(0, buffer.Written.Span[10]);
    }

    [Theory]
    [InlineData(127, 1)]
    [InlineData(128, 4)]
    [InlineData(70_000, 4)]
    public void LengthSize_AroundTheOneByteLimit_PicksTheSpecEncoding(int length, int expected) =>
        Assert.Equal(expected, FastCgiRequestEncoder.LengthSize(length));

    [Fact]
    public void WriteParams_ShortAndLongValues_EncodeOneAndFourByteLengthsAndPadTo8()
    {
        var buffer = new FastCgiWriteBuffer();
        var longValue = new string('v', 200);

        FastCgiRequestEncoder.WriteParams(buffer, [new("A", "bc"), new("LONG", longValue)]);

        var records = ReadRecords(buffer.Written.ToArray());
        Assert.Equal(2, records.Count);
        Assert.Equal(FastCgiRecordType.Params, records[0].Type);
        Assert.Empty(records[1].Content);
        var pairs = DecodePairs(records[0].Content);
        Assert.Equal([new("A", "bc"), new("LONG", longValue)], pairs);
        var content = records[0].Content;
        Assert.Equal(1, content[0]);
        Assert.Equal(2, content[1]);
        Assert.Equal(0x80000000u | 200u, BinaryPrimitives.ReadUInt32BigEndian(content.AsSpan(6)));
        Assert.All(records, r => Assert.Equal(0, (8 + r.Content.Length + r.Padding) % 8));
    }

    [Fact]
    public void WriteParams_MoreThanOneRecordHolds_NeverSplitsAPair()
    {
        var buffer = new FastCgiWriteBuffer();
        var pairs = Enumerable.Range(0, 12).Select(i => new KeyValuePair<string, string>($"P{i}", new string((char)('a' + i), 10_000))).ToList();

        FastCgiRequestEncoder.WriteParams(buffer, pairs);

        var records = ReadRecords(buffer.Written.ToArray());
        Assert.True(records.Count >= 3, $"{records.Count} records");
        Assert.All(records, r => Assert.True(r.Content.Length <= ushort.MaxValue));
        // Each record decodes on its own: no pair straddles a record boundary.
        var decoded = records.SelectMany(r => DecodePairs(r.Content)).ToList();
        Assert.Equal(pairs, decoded);
        Assert.Empty(records[^1].Content);
    }

    [Fact]
    public void WriteParams_PairLargerThanARecord_Throws()
    {
        var buffer = new FastCgiWriteBuffer();

        Assert.Throws<FastCgiParamsTooLargeException>(() =>
            FastCgiRequestEncoder.WriteParams(buffer, [new("HTTP_X_HUGE", new string('x', 70_000))]));
    }

    [Fact]
    public void WriteRecord_OddLength_PadsToAMultipleOf8()
    {
        var buffer = new FastCgiWriteBuffer();

        FastCgiRequestEncoder.WriteRecord(buffer, FastCgiRecordType.Stdin, "hello"u8);

        var records = ReadRecords(buffer.Written.ToArray());
        Assert.Equal("hello", Encoding.ASCII.GetString(records[0].Content));
        Assert.Equal(3, records[0].Padding);
        Assert.Equal(16, buffer.Length);
    }

    internal static List<(FastCgiRecordType Type, byte[] Content, int Padding)> ReadRecords(byte[] bytes)
    {
        var records = new List<(FastCgiRecordType, byte[], int)>();
        for (var offset = 0; offset < bytes.Length;)
        {
            var header = FastCgiRecordHeader.Read(bytes.AsSpan(offset));
            Assert.Equal(FastCgiProtocol.RequestId, header.RequestId);
            records.Add((header.Type, bytes.AsSpan(offset + 8, header.ContentLength).ToArray(), header.PaddingLength));
            offset += 8 + header.ContentLength + header.PaddingLength;
        }

        return records;
    }

    internal static List<KeyValuePair<string, string>> DecodePairs(byte[] content)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        for (var offset = 0; offset < content.Length;)
        {
            var nameLength = ReadLength(content, ref offset);
            var valueLength = ReadLength(content, ref offset);
            var name = Encoding.UTF8.GetString(content, offset, nameLength);
            var value = Encoding.UTF8.GetString(content, offset + nameLength, valueLength);
            offset += nameLength + valueLength;
            pairs.Add(new(name, value));
        }

        return pairs;
    }

    private static int ReadLength(byte[] content, ref int offset)
    {
        if (content[offset] < 0x80)
        {
            return content[offset++];
        }

        var length = (int)(BinaryPrimitives.ReadUInt32BigEndian(content.AsSpan(offset)) & 0x7FFF_FFFF);
        offset += 4;
        return length;
    }
}
