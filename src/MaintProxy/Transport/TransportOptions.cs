namespace MaintProxy.Transport;

/// <summary>
/// The <c>Transport</c> configuration section: the socket event-loop threads and what runs on them.
/// Applied once, at start, before the first socket is used.
/// </summary>
public sealed class TransportOptions
{
    public const string SectionName = "Transport";

    public const int MaxEventLoopThreads = 256;

    /// <summary>
    /// How many socket event-loop threads serve all connections. 0: one per core. Socket completions
    /// run on these threads whatever the scheduling below.
    /// </summary>
    public int EventLoopThreads { get; set; }

    /// <summary>
    /// Each request runs from its first byte to its last on the event-loop thread that received it, as
    /// an nginx worker does, instead of going to the thread pool after each read. Less CPU per
    /// request; a longer tail latency when busy processes share the cores (see the README's Benchmarks).
    /// </summary>
    public bool InlineScheduling { get; set; }

    /// <summary>The number of event-loop threads that <see cref="EventLoopThreads"/> asks for on this machine.</summary>
    public int EventLoopThreadsFor(int processorCount) => EventLoopThreads > 0 ? EventLoopThreads : processorCount;
}
