using System.Globalization;

namespace MaintProxy.Transport;

/// <summary>
/// The runtime's half of <see cref="TransportOptions"/>. System.Net.Sockets reads its event-loop
/// settings from the environment once, at the first socket operation, so they are set before the
/// host starts. A variable that is already set (by an operator, say) is left as it is.
/// </summary>
internal static class EventLoops
{
    private const string ThreadCountVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";
    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void Configure(TransportOptions options)
    {
        SetUnlessPresent(ThreadCountVariable, options.EventLoopThreadsFor(Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture));

        // Socket completions run on the event-loop thread instead of hopping to the thread pool: a
        // proxy's continuations are short and never block.
        SetUnlessPresent(InlineCompletionsVariable, "1");
    }

    private static void SetUnlessPresent(string variable, string value)
    {
        if (Environment.GetEnvironmentVariable(variable) is null)
        {
            Environment.SetEnvironmentVariable(variable, value);
        }
    }
}
