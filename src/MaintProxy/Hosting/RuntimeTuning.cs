using System.Reflection;
using MaintProxy.Transport;
using Microsoft.Extensions.Options;

namespace MaintProxy.Hosting;

/// <summary>
/// Process-wide settings for when MaintProxy is the process (not when a test host loads it),
/// applied before the first socket or console write. Each was measured with tests/bench/run.sh.
/// </summary>
internal static class RuntimeTuning
{
    /// <summary>False under a test host, which loads MaintProxy into its own process.</summary>
    public static bool IsMaintProxyTheProcess => Assembly.GetEntryAssembly() == typeof(RuntimeTuning).Assembly;

    public static void Apply(IConfiguration configuration)
    {
        if (!IsMaintProxyTheProcess)
        {
            return;
        }

        EventLoops.Configure(ReadEarly(configuration, TransportOptions.SectionName, new TransportOptionsValidator()));

        if (Console.IsOutputRedirected)
        {
            var consoleLog = ReadEarly(configuration, ConsoleLogOptions.SectionName, new ConsoleLogOptionsValidator());
            var writer = new CoalescingConsoleWriter(StandardOutputStream.Open(), consoleLog.MaxWaitWhenFull, TimeProvider.System, KeptConsoleLines.CurrentIsKept);
            Console.SetOut(writer);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => writer.Drain(CoalescingConsoleWriter.ExitStallTimeout);
        }
    }

    // Read here, ahead of the host's own (validated) copy: the sockets and the first log line need theirs first.
    private static TOptions ReadEarly<TOptions>(IConfiguration configuration, string sectionName, IValidateOptions<TOptions> validator)
        where TOptions : class, new()
    {
        var options = configuration.GetSection(sectionName).Get<TOptions>(binder => binder.ErrorOnUnknownConfiguration = true) ?? new TOptions();
        var result = validator.Validate(null, options);
        return result.Failed
            ? throw new OptionsValidationException(sectionName, typeof(TOptions), result.Failures)
            : options;
    }
}
