using Serilog.Core;
using Serilog.Events;
using Yarp.ReverseProxy.Forwarder;

namespace MaintProxy.RequestLogging;

/// <summary>
/// Drops YARP's warning, with its stack trace, for a forwarding that failed on the client's side (a
/// browser that left mid-download, a reset upload): the request line already says <c>client-error</c>,
/// and at one warning per departed client the real ones (a backend down) would drown. Later YARP
/// versions log these at Debug; here they are kept when YARP's forwarder is set to log at Debug.
/// </summary>
internal sealed class ClientSideForwardingErrorFilter : ILogEventFilter
{
    public const string HttpForwarderCategory = "Yarp.ReverseProxy.Forwarder.HttpForwarder";

    // YARP's EventIds.ForwardingError (internal to YARP), logged with the template "{error}: {message}".
    private const int ForwardingErrorEventId = 48;

    /// <summary>Set once the logger is built, from the level it gives YARP's forwarder.</summary>
    public bool KeepClientSideErrors { get; set; }

    public bool IsEnabled(LogEvent logEvent) => KeepClientSideErrors || !IsClientSideForwardingError(logEvent);

    private static bool IsClientSideForwardingError(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue(Serilog.Core.Constants.SourceContextPropertyName, out var source)
        && source is ScalarValue { Value: HttpForwarderCategory }
        && logEvent.Properties.TryGetValue("EventId", out var eventId)
        && eventId is StructureValue id
        && id.Properties.Any(p => p.Name == "Id" && p.Value is ScalarValue { Value: ForwardingErrorEventId })
        && logEvent.Properties.TryGetValue("error", out var error)
        && error is ScalarValue { Value: { } value }
        && Enum.TryParse<ForwarderError>(value.ToString(), out var forwarderError)
        && RequestOutcome.IsClientSide(forwarderError);
}
