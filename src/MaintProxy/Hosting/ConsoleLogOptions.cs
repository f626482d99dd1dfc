namespace MaintProxy.Hosting;

/// <summary>
/// The <c>ConsoleLog</c> configuration section: what the console log does when standard output is
/// not read fast enough (a stalled journald, <c>docker logs</c> driver or pipe). Applied once, at start.
/// </summary>
public sealed class ConsoleLogOptions
{
    public const string SectionName = "ConsoleLog";

    public static readonly TimeSpan MaxMaxWaitWhenFull = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a log line may wait for room once the console buffer is full; then it is dropped and
    /// counted, and lines logged until the output moves again are dropped without waiting. Lines of the
    /// maintenance switch, drains, start and stop do not wait for room and are not dropped.
    /// </summary>
    public TimeSpan MaxWaitWhenFull { get; set; } = TimeSpan.FromSeconds(1);
}
