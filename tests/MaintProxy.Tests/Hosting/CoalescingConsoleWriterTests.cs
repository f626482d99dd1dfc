using MaintProxy.Hosting;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Hosting;

public sealed class CoalescingConsoleWriterTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    [Fact]
    public void WriteLine_ManyThreads_EveryLineWholeAndInOrderPerThread()
    {
        using var output = new RecordingStream();
        using var writer = NewWriter(output);
        const int threads = 4, lines = 2000;

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var n = 0; n < lines; n++)
            {
                writer.WriteLine($"thread {t} line {n} é");
                writer.Flush();
            }
        });
        writer.Drain(Deadline);

        var written = output.Text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(threads * lines, written.Length);
        for (var t = 0; t < threads; t++)
        {
            var prefix = $"thread {t} line ";
            var own = written.Where(line => line.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
            Assert.Equal(Enumerable.Range(0, lines).Select(n => $"{prefix}{n} é"), own);
        }

        Assert.True(output.WriteCalls < threads * lines, $"{output.WriteCalls} writes for {threads * lines} lines: nothing was coalesced");
    }

    [Fact]
    public async Task Flush_NothingElseHappens_LineReachesTheOutputSoon()
    {
        using var output = new RecordingStream();
        using var writer = NewWriter(output);

        writer.WriteLine("one line");
        writer.Flush();

        Assert.True(await Eventually.TrueAsync(() => output.Text == "one line" + Environment.NewLine, Deadline));
    }

    [Fact]
    public async Task Write_OutputStalled_LinesWaitAtMostTheLimit_ThenAreDroppedAndCountedOnceTheOutputMoves()
    {
        using var output = new RecordingStream();
        using var writer = NewWriter(output, TimeSpan.FromMilliseconds(100));
        output.Block();
        var line = new string('x', 1023);

        // The first batch is taken by the background thread and stalls in the output; the buffer then
        // fills up to the limit, and the lines after it are dropped instead of stopping their threads.
        var filling = Task.Run(() =>
        {
            for (var i = 0; i < 4 * CoalescingConsoleWriter.MaxPendingBytes / 1024; i++)
            {
                writer.WriteLine(line);
                writer.Flush();
            }
        });

        await filling.WaitAsync(Deadline);
        output.Release();
        Assert.True(await Eventually.TrueAsync(() => output.Text.Contains(" log line(s) dropped from ", StringComparison.Ordinal), Deadline));
        var lines = output.Text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        var kept = lines.Count(l => l == line);
        var notice = Assert.Single(lines, l => l.Contains(" log line(s) dropped from ", StringComparison.Ordinal));
        Assert.Equal(4 * CoalescingConsoleWriter.MaxPendingBytes / 1024, kept + DroppedCount(notice));
        Assert.InRange(kept * 1024, 1, CoalescingConsoleWriter.MaxPendingBytes * 2);
    }

    [Fact]
    public async Task Write_OutputStalledAndBufferFull_LineThatMustBeKeptIsWrittenWhileOthersAreDropped()
    {
        using var output = new RecordingStream();
        var keep = false;
        using var writer = NewWriter(output, TimeSpan.FromMilliseconds(100), () => keep);
        output.Block();
        var line = new string('x', 1023);
        for (var i = 0; i < 2 * CoalescingConsoleWriter.MaxPendingBytes / 1024; i++)
        {
            writer.WriteLine(line);
            writer.Flush();
        }

        keep = true;
        writer.WriteLine("Maintenance is ON (generation 2)");
        keep = false;
        writer.WriteLine(line);
        output.Release();

        Assert.True(await Eventually.TrueAsync(() => output.Text.Contains(" log line(s) dropped from ", StringComparison.Ordinal), Deadline));
        Assert.Contains("Maintenance is ON (generation 2)" + Environment.NewLine, output.Text, StringComparison.Ordinal);
    }

    private static CoalescingConsoleWriter NewWriter(RecordingStream output, TimeSpan? maxWaitWhenFull = null, Func<bool>? lineIsKept = null) =>
        new(output, maxWaitWhenFull ?? TimeSpan.FromSeconds(1), TimeProvider.System, lineIsKept ?? (() => false));

    private static long DroppedCount(string notice) =>
        long.Parse(notice.Split("] ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
}
