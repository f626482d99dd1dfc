using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// Several independent HTTP clients sending requests in a tight loop, each numbered in the
/// <c>X-Test-Seq</c> header and timed with Stopwatch timestamps. Bounded: stops when asked, or after
/// <c>maxRequests</c> or <c>maxDuration</c>, whichever comes first.
/// </summary>
internal sealed class LoadClients : IAsyncDisposable
{
    public const string SeqHeader = "X-Test-Seq";

    private readonly ConcurrentQueue<Sample> _samples = new();
    private readonly CancellationTokenSource _stop;
    private readonly Task[] _clients;
    private int _seq;
    private int _disposed;

    public LoadClients(string url, int clients = 4, int maxRequests = 200_000, TimeSpan? maxDuration = null)
    {
        _stop = new CancellationTokenSource(maxDuration ?? TimeSpan.FromSeconds(60));
        _clients = Enumerable.Range(0, clients).Select(_ => Task.Run(() => RunAsync(url, maxRequests))).ToArray();
    }

    public IReadOnlyCollection<Sample> Samples => _samples;

    private async Task RunAsync(string url, int maxRequests)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        while (!_stop.IsCancellationRequested)
        {
            var seq = Interlocked.Increment(ref _seq);
            if (seq > maxRequests)
            {
                return;
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add(SeqHeader, seq.ToString(CultureInfo.InvariantCulture));
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                _samples.Enqueue(new Sample(seq, sent, Stopwatch.GetTimestamp(), (int)response.StatusCode, response.Headers.Contains("X-Maintenance-Mode")));
            }
            catch (HttpRequestException)
            {
                _samples.Enqueue(new Sample(seq, sent, Stopwatch.GetTimestamp(), 0, false));
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> samples match, or fails the test after a deadline.</summary>
    public async Task WaitForAsync(Func<Sample, bool> match, int count, string what)
    {
        Assert.True(await Eventually.TrueAsync(() => _samples.Count(match) >= count, TimeSpan.FromSeconds(20)), "Timed out waiting for " + what);
    }

    /// <summary>Stops the clients and waits for them; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_clients);
            _stop.Dispose();
        }
    }

    /// <summary>One request: when it was sent and answered (Stopwatch timestamps), and how.</summary>
    public sealed record Sample(int Seq, long SentAt, long AnsweredAt, int Status, bool MaintenanceHeader);
}
