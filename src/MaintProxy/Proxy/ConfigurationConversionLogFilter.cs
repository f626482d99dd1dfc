using Serilog.Core;
using Serilog.Events;

namespace MaintProxy.Proxy;

/// <summary>
/// Drops YARP's "Configuration data conversion failed." error, with its stack trace, for a saved edit
/// whose unconvertible value <see cref="ValueCheckingConfigProvider"/> names in one line. A failure that
/// check does not recognise keeps YARP's line: it is the only word about it.
/// </summary>
internal sealed class ConfigurationConversionLogFilter(IConfiguration reverseProxy) : ILogEventFilter
{
    private const string YarpConfigurationReaderCategory = "Yarp.ReverseProxy.Configuration.ConfigProvider.ConfigurationConfigProvider";

    // YARP's EventIds.ConfigurationDataConversionFailed (internal to YARP).
    private const int ConversionFailedEventId = 47;

    public bool IsEnabled(LogEvent logEvent) => !(
        logEvent.Exception is not null
        && logEvent.Properties.TryGetValue(Constants.SourceContextPropertyName, out var source)
        && source is ScalarValue { Value: YarpConfigurationReaderCategory }
        && logEvent.Properties.TryGetValue("EventId", out var eventId)
        && eventId is StructureValue id
        && id.Properties.Any(p => p.Name == "Id" && p.Value is ScalarValue { Value: ConversionFailedEventId })
        && ClusterSettingsValues.FindProblem(reverseProxy) is not null);
}
