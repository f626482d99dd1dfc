using MaintProxy.Hosting;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Hosting;

public sealed class SinkFailureReportTests
{
    private const string Failure = "2030-01-01T00:00:00.0000000Z Caught exception while emitting to sink Serilog.Sinks.File.FileSink: System.IO.IOException: No space left on device : 'access.log'\n   at System.IO.RandomAccess.WriteAtOffset()";

    [Fact]
    public void Report_EveryLineFails_OneLineAMinuteWithTheNumberInBetween()
    {
        using var output = new StringWriter();
        var clock = new ManualClock();
        var report = new SinkFailureReport(output, clock);

        for (var i = 0; i < 5; i++)
        {
            report.Report(Failure);
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        clock.Advance(SinkFailureReport.Interval);
        report.Report(Failure);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.EndsWith("ERR] A log sink failed: Caught exception while emitting to sink Serilog.Sinks.File.FileSink: System.IO.IOException: No space left on device : 'access.log' (further failures: at most one line a minute, with their number)", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("(4 more failure(s) since the previous report)", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output.ToString(), StringComparison.Ordinal);
    }
}
