namespace MaintProxy.Lifetime;

/// <summary>The <c>Lifetime</c> configuration section: how the proxy stops and how it is restarted.</summary>
public sealed class LifetimeOptions
{
    public const string SectionName = "Lifetime";

    /// <summary>
    /// How long requests in flight (a slow client's large download included) may take to finish
    /// after SIGTERM or SIGINT before they are cut off. A second signal cuts them off at once.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After the first signal, how long connections kept alive between requests stay open, with new
    /// connections no longer accepted: a request a client sends on one meanwhile is still answered
    /// (with <c>Connection: close</c>), instead of meeting a connection closed under it. Then the
    /// connections still idle are closed. Zero closes them at once.
    /// </summary>
    public TimeSpan KeepAliveDrainGrace { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the number of requests still in flight is logged while draining.</summary>
    public TimeSpan DrainProgressInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Binds every listener with <c>SO_REUSEPORT</c>, so that a new process can bind the same ports
    /// while the old one still runs (the overlap restart, <c>maint/restart.sh</c>).
    /// </summary>
    public bool ReusePort { get; set; }

    /// <summary>
    /// A file the proxy writes its process id to once it is ready to serve, and removes when it starts
    /// draining (if it still names this process). Relative paths start at the working directory. Empty: none.
    /// </summary>
    public string? PidFile { get; set; }

    /// <summary>
    /// Set by <c>maint/restart.sh</c>: the processes it replaced that may still be draining, as
    /// <c>PID:STARTTIME</c> entries (the start time from <c>/proc/PID/stat</c>) separated by commas.
    /// While one runs, <c>GET /in-flight</c> names it, and <c>down.sh --drain</c> waits for it.
    /// </summary>
    public string? Predecessors { get; set; }
}
