using System.Globalization;

namespace MaintProxy.Hosting;

/// <summary>
/// Once the proxy runs, Serilog tells its SelfLog about every line a sink fails to write: under a File
/// sink on a full disk that is every line, each with a stack trace, written synchronously on the
/// request's thread. This reports the first failure in one line, then at most one a minute with the
/// number of failures in between (as nginx does for a log it cannot write), in the console log.
/// </summary>
internal sealed class SinkFailureReport(TextWriter output, TimeProvider timeProvider)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly object _gate = new();
    private bool _reported;
    private long _lastReportAt;
    private long _notReported;

    public void Report(string selfLogMessage)
    {
        string line;
        lock (_gate)
        {
            var now = timeProvider.GetTimestamp();
            if (_reported && timeProvider.GetElapsedTime(_lastReportAt, now) < Interval)
            {
                _notReported++;
                return;
            }

            var since = _reported
                ? $"{_notReported} more failure(s) since the previous report"
                : "further failures: at most one line a minute, with their number";
            line = string.Create(CultureInfo.InvariantCulture,
                $"[{timeProvider.GetLocalNow():HH:mm:ss.fff} ERR] A log sink failed: {SerilogProblems.Summary(selfLogMessage)} ({since})");
            _reported = true;
            _lastReportAt = now;
            _notReported = 0;
        }

        output.WriteLine(line);
    }
}
