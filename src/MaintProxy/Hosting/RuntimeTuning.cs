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

        EventLoops.Configure(ReadTransportOptions(configuration));

        if (Console.IsOutputRedirected)
        {
            var consoleLog = ReadConsoleLogOptions(configuration);
            var writer = new CoalescingConsoleWriter(StandardOutputStream.Open(), consoleLog.MaxWaitWhenFull, TimeProvider.System, KeptConsoleLines.CurrentIsKept);
            Console.SetOut(writer);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => writer.Drain(CoalescingConsoleWriter.ExitStallTimeout);
        }
    }

    // Read here, ahead of the host's own (validated) copy, because the first line is written before it.
    private static ConsoleLogOptions ReadConsoleLogOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection(ConsoleLogOptions.SectionName).Get<ConsoleLogOptions>(binder => binder.ErrorOnUnknownConfiguration = true) ?? new ConsoleLogOptions();
        var result = new ConsoleLogOptionsValidator().Validate(null, options);
        return result.Failed
            ? throw new OptionsValidationException(ConsoleLogOptions.SectionName, typeof(ConsoleLogOptions), result.Failures)
            : options;
    }

    // Read here, ahead of the host's own (validated) copy, because the sockets read theirs first.
    private static TransportOptions ReadTransportOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection(TransportOptions.SectionName).Get<TransportOptions>(binder => binder.ErrorOnUnknownConfiguration = true) ?? new TransportOptions();
        var result = new TransportOptionsValidator().Validate(null, options);
        return result.Failed
            ? throw new OptionsValidationException(TransportOptions.SectionName, typeof(TransportOptions), result.Failures)
            : options;
    }
}
