using System.Reflection;

namespace MaintProxy.Hosting;

/// <summary>
/// Process-wide settings for when MaintProxy is the process (not when a test host loads it),
/// applied before the first socket or console write. Each was measured with tests/bench/run.sh.
/// </summary>
internal static class RuntimeTuning
{
    private const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>False under a test host, which loads MaintProxy into its own process.</summary>
    public static bool IsMaintProxyTheProcess => Assembly.GetEntryAssembly() == typeof(RuntimeTuning).Assembly;

    public static void Apply()
    {
        if (!IsMaintProxyTheProcess)
        {
            return;
        }

        // Socket completions run on the event thread instead of hopping to the thread pool: a proxy's
        // continuations are short and never block. Read once, at the first socket; "0" opts out.
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
        }

        if (Console.IsOutputRedirected)
        {
            var writer = new CoalescingConsoleWriter(Console.OpenStandardOutput());
            Console.SetOut(writer);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => writer.Drain();
        }
    }
}
