using Serilog.Core;
using Serilog.Events;

namespace MaintProxy.Hosting;

/// <summary>
/// Drops the host's "Hosting failed to start" error, with its stack trace, for a failure that
/// <c>Program</c> reports at exit as one plain line (a port in use, a bad setting): the operator
/// would otherwise read a page of frames before the line that says what to fix.
/// </summary>
internal sealed class StartupFailureLogFilter : ILogEventFilter
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    // Microsoft.Extensions.Hosting's LoggerEventIds.HostedServiceStartupFaulted (internal to it).
    private const int HostedServiceStartupFaultedEventId = 11;

    public bool IsEnabled(LogEvent logEvent) => !(
        RuntimeTuning.IsMaintProxyTheProcess
        && logEvent.Exception is { } exception
        && StartupFailure.IsReportedAtExit(exception)
        && logEvent.Properties.TryGetValue(Constants.SourceContextPropertyName, out var source)
        && source is ScalarValue { Value: HostCategory }
        && logEvent.Properties.TryGetValue("EventId", out var eventId)
        && eventId is StructureValue id
        && id.Properties.Any(p => p.Name == "Id" && p.Value is ScalarValue { Value: HostedServiceStartupFaultedEventId }));
}
