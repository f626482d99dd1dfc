namespace MaintProxy.Transport;

/// <summary>
/// The <c>Transport</c> configuration section: how requests are scheduled on the proxy's threads.
/// Applied once, at start, before the first socket is used.
/// </summary>
public sealed class TransportOptions
{
    public const string SectionName = "Transport";

    public const int MaxEventLoopThreads = 256;

    /// <summary>
    /// Each request runs from its first byte to its last on the socket event-loop thread that received
    /// it (as an nginx worker does), instead of being handed to the thread pool at each step. Nothing
    /// on MaintProxy's request path blocks, so the hand-offs are pure cost.
    /// </summary>
    public bool InlineScheduling { get; set; } = true;

    /// <summary>
    /// How many socket event-loop threads serve all connections. 0 picks half the cores, at least one:
    /// the proxy shares the machine with the application behind it.
    /// </summary>
    public int EventLoopThreads { get; set; }

    /// <summary>The number of event-loop threads that <see cref="EventLoopThreads"/> asks for on this machine.</summary>
    public int EventLoopThreadsFor(int processorCount) =>
        EventLoopThreads > 0 ? EventLoopThreads : Math.Max(1, processorCount / 2);
}
