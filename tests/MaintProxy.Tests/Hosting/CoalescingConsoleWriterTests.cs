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
        using var writer = new CoalescingConsoleWriter(output);
        const int threads = 4, lines = 2000;

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var n = 0; n < lines; n++)
            {
                writer.WriteLine($"thread {t} line {n} é");
                writer.Flush();
            }
        });
        writer.Drain();

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
        using var writer = new CoalescingConsoleWriter(output);

        writer.WriteLine("one line");
        writer.Flush();

        Assert.True(await Eventually.TrueAsync(() => output.Text == "one line" + Environment.NewLine, Deadline));
    }

    [Fact]
    public async Task Write_OutputStalled_WritersWaitAtTheLimitInsteadOfGrowing()
    {
        using var output = new RecordingStream();
        using var writer = new CoalescingConsoleWriter(output);
        output.Block();
        var line = new string('x', 1023);

        // The first batch is taken by the background thread and stalls in the output; the writer
        // then fills the buffer up to the limit and must wait there.
        var filling = Task.Run(() =>
        {
            for (var i = 0; i < 4 * CoalescingConsoleWriter.MaxPendingBytes / 1024; i++)
            {
                writer.WriteLine(line);
                writer.Flush();
            }
        });

        Assert.False(await Eventually.TrueAsync(() => filling.IsCompleted, TimeSpan.FromMilliseconds(300)));
        output.Release();
        await filling.WaitAsync(Deadline);
        writer.Drain();
        Assert.Equal(4 * CoalescingConsoleWriter.MaxPendingBytes, output.Text.Length);
    }
}
