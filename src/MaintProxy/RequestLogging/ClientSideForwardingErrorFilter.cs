using Serilog.Core;
using Serilog.Events;
using Yarp.ReverseProxy.Forwarder;

namespace MaintProxy.RequestLogging;

/// <summary>
/// Drops YARP's warning, with its stack trace, for a forwarding that failed on the client's side (a
/// browser that left mid-download, a reset upload): the request line already says <c>client-error</c>,
/// and at one warning per departed client the real ones (a backend down) would drown. Later YARP
/// versions log these at Debug; here they are kept when YARP's forwarder is set to log at Debug.
/// Also drops Kestrel's error, with its stack trace, that an upload reset mid-way often leaves behind:
/// the body's read that the forwarding had under way when the connection went is never finished, so
/// Kestrel cannot drain the rest of the body ("the body reader is in an invalid state") and closes the
/// connection, which the client has already left.
/// </summary>
internal sealed class ClientSideForwardingErrorFilter : ILogEventFilter
{
    public const string HttpForwarderCategory = "Yarp.ReverseProxy.Forwarder.HttpForwarder";

    // YARP's EventIds.ForwardingError (internal to YARP), logged with the template "{error}: {message}".
    private const int ForwardingErrorEventId = 48;

    private const string KestrelCategory = "Microsoft.AspNetCore.Server.Kestrel";

    // Kestrel's event (its id is internal to Kestrel; the name is stable) for a request body it could not drain.
    private const string BodyDrainInvalidStateEventName = "RequestBodyDrainBodyReaderInvalidState";

    /// <summary>Set once the logger is built, from the level it gives YARP's forwarder.</summary>
    public bool KeepClientSideErrors { get; set; }

    public bool IsEnabled(LogEvent logEvent) =>
        KeepClientSideErrors || !(IsClientSideForwardingError(logEvent) || IsBodyLeftUndrained(logEvent));

    private static bool IsBodyLeftUndrained(LogEvent logEvent) =>
        logEvent.Level == LogEventLevel.Error
        && logEvent.Properties.TryGetValue(Serilog.Core.Constants.SourceContextPropertyName, out var source)
        && source is ScalarValue { Value: string category }
        && category.StartsWith(KestrelCategory, StringComparison.Ordinal)
        && logEvent.Properties.TryGetValue("EventId", out var eventId)
        && eventId is StructureValue id
        && id.Properties.Any(p => p.Name == "Name" && p.Value is ScalarValue { Value: BodyDrainInvalidStateEventName });

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
