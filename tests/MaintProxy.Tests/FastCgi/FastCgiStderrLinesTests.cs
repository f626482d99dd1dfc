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

    [Fact]
    public void Add_LineWithControlCharacters_EmitsThemEscaped()
    {
        var lines = new List<string>();
        var stderr = new FastCgiStderrLines(lines.Add);

        stderr.Add("PHP message: user bob\r\u001b[2K\u001b[31mroot\n"u8);

        Assert.Equal([@"PHP message: user bob\x0D\x1B[2K\x1B[31mroot"], lines);
    }
}
