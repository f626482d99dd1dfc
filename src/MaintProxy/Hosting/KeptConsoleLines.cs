using Serilog.Core;
using Serilog.Events;

namespace MaintProxy.Hosting;

/// <summary>
/// Tells <see cref="CoalescingConsoleWriter"/> whether the line being written must be kept when the
/// output is not read: the maintenance switch, drains, start and stop (rare, and what an operator
/// looks for afterwards), as opposed to the per-request lines that may be dropped and counted. Serilog
/// writes an event on the thread that logged it, right after its filters, so the event is remembered
/// per thread here and only looked at when the buffer is full: the normal path pays one store.
/// </summary>
internal sealed class KeptConsoleLines : ILogEventFilter
{
    private static readonly string[] KeptCategoryPrefixes =
    [
        "MaintProxy.Maintenance.",
        "MaintProxy.Lifetime.",
        "MaintProxy.Hosting.",
        "Microsoft.Hosting.Lifetime",
    ];

    [ThreadStatic]
    private static LogEvent? t_current;

    public bool IsEnabled(LogEvent logEvent)
    {
        t_current = logEvent;
        return true;
    }

    /// <summary>True when the event this thread is writing must not be dropped.</summary>
    public static bool CurrentIsKept() =>
        t_current is { } logEvent
        && logEvent.Properties.TryGetValue(Constants.SourceContextPropertyName, out var source)
        && source is ScalarValue { Value: string category }
        && KeptCategoryPrefixes.Any(prefix => category.StartsWith(prefix, StringComparison.Ordinal));
}
