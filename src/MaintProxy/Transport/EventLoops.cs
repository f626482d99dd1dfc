using System.Globalization;

namespace MaintProxy.Transport;

/// <summary>
/// The runtime's half of <see cref="TransportOptions"/>. System.Net.Sockets reads its event-loop
/// settings from the environment once, at the first socket operation, so they are set before the
/// host starts. A variable that is already set (by an operator, say) is left as it is.
/// </summary>
internal static class EventLoops
{
    public const string ThreadCountVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void Configure(TransportOptions options)
    {
        SetUnlessPresent(ThreadCountVariable, options.EventLoopThreadsFor(Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture));
        if (options.InlineScheduling)
        {
            // Socket completions run on the event-loop thread; Kestrel's half keeps them there.
            SetUnlessPresent(InlineCompletionsVariable, "1");
        }
    }

    private static void SetUnlessPresent(string variable, string value)
    {
        if (Environment.GetEnvironmentVariable(variable) is null)
        {
            Environment.SetEnvironmentVariable(variable, value);
        }
    }
}
