using MaintProxy.FastCgi;

namespace MaintProxy.Tests.FastCgi;

public sealed class FastCgiStderrLinesTests
{
    [Fact]
    public void Add_LinesCutAcrossRecords_EmitsWholeLines()
    {
        var lines = new List<string>();
        var stderr = new FastCgiStderrLines(lines.Add);

        stderr.Add("PHP message: fi"u8);
        stderr.Add("rst\r\nsecond\nthi"u8);
        stderr.Add("rd"u8);
        stderr.Flush();

        Assert.Equal(["PHP message: first", "second", "third"], lines);
    }
}
