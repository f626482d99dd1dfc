using Serilog.Debugging;
using Serilog.Events;

namespace MaintProxy.Hosting;

/// <summary>
/// Serilog reports a sink it cannot find or cannot open to its SelfLog and carries on without it, so a
/// misspelt sink or an unwritable log path would lose every line silently. While the <c>Serilog</c>
/// section is applied, such a report stops the start (as nginx stops on a log file it cannot open);
/// afterwards, reports (a sink failing later, a full disk) go to <see cref="SinkFailureReport"/>.
/// </summary>
internal static class SerilogProblems
{
    public static Serilog.Core.Logger CreateOrThrow(Func<Serilog.Core.Logger> create)
    {
        var problems = new List<string>();
        SelfLog.Enable(message => problems.Add(Summary(message)));
        Serilog.Core.Logger logger;
        try
        {
            logger = create();
        }
        finally
        {
            SelfLog.Enable(new SinkFailureReport(Console.Out, TimeProvider.System).Report);
        }

        if (problems.Count == 0)
        {
            return logger;
        }

        logger.Dispose();
        throw new InvalidOperationException(
            $"the Serilog section cannot be applied: {string.Join("; ", problems)} (MaintProxy ships the Console and File sinks)");
    }

    /// <summary>
    /// A level Serilog does not know (<c>Trace</c>, <c>Critical</c>: Microsoft's names) would otherwise be
    /// taken for the name of a level switch, and fail with a message about switches.
    /// </summary>
    public static void ThrowOnUnknownLevels(IConfiguration configuration)
    {
        var minimum = configuration.GetSection("Serilog:MinimumLevel");
        var levels = minimum.Value is not null
            ? [minimum]
            : minimum.GetSection("Override").GetChildren().Prepend(minimum.GetSection("Default")).Where(level => level.Value is not null);
        foreach (var level in levels)
        {
            if (!level.Value!.StartsWith('$') && !Enum.TryParse<LogEventLevel>(level.Value, ignoreCase: true, out _))
            {
                throw new InvalidOperationException(
                    $"{level.Path} is \"{level.Value}\": Serilog's levels are Verbose, Debug, Information, Warning, Error and Fatal");
            }
        }
    }

    // SelfLog's message is "<UTC timestamp> <text>", the text often followed by lines of detail.
    public static string Summary(string message)
    {
        var line = message.AsSpan();
        var end = line.IndexOfAny('\r', '\n');
        line = end < 0 ? line : line[..end];
        var space = line.IndexOf(' ');
        line = space < 0 ? line : line[(space + 1)..];
        return line.ToString().Replace(" Candidate methods are:", "", StringComparison.Ordinal);
    }
}
