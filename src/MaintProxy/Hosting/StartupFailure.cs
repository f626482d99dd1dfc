using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace MaintProxy.Hosting;

/// <summary>
/// What stops the start for a reason the operator can fix (a port in use, a bad setting, a configuration
/// YARP refuses), and the one line that says so. Anything else is a defect and keeps its stack trace.
/// </summary>
internal static class StartupFailure
{
    private const string PortInUseAdvice =
        " Another process listens there (is MaintProxy already running?): stop it, or choose a free port"
        + " in Kestrel:Endpoints:<name>:Url, Admin:Url or DemoBackend:Url.";

    public static bool IsReportedAtExit(Exception exception) =>
        exception is IOException or InvalidDataException or OptionsValidationException or InvalidOperationException;

    /// <summary>The message and those of the exceptions behind it, down to the first cause, on one line.</summary>
    public static string Describe(Exception exception)
    {
        var text = OneLine(exception);
        foreach (var cause in CausesOf(exception))
        {
            // Compared on one line too: a cause whose text an outer message already quotes on one line
            // (Kestrel's "…\nActual value was 0.") is not repeated after it.
            var reason = OneLine(cause);
            if (!text.Contains(reason, StringComparison.OrdinalIgnoreCase))
            {
                text += $" ({reason})";
            }
        }

        return IsPortInUse(exception) ? text + PortInUseAdvice : text;
    }

    private static string OneLine(Exception exception) => UnknownSettingKeys.Reword(exception.Message).ReplaceLineEndings(" ");

    private static bool IsPortInUse(Exception exception) =>
        exception is IOException && CausesOf(exception).Any(cause => cause is AddressInUseException);

    private static IEnumerable<Exception> CausesOf(Exception exception)
    {
        IEnumerable<Exception> inner = exception switch
        {
            AggregateException aggregate => aggregate.InnerExceptions,
            { InnerException: { } single } => [single],
            _ => [],
        };
        foreach (var cause in inner)
        {
            yield return cause;
            foreach (var deeper in CausesOf(cause))
            {
                yield return deeper;
            }
        }
    }
}
