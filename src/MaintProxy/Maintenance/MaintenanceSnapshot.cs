using System.Collections.Immutable;

namespace MaintProxy.Maintenance;

/// <summary>
/// The maintenance state as last read from the sentinel: immutable, replaced whole on change, so the
/// request path reads it with one memory read.
/// </summary>
internal sealed record MaintenanceSnapshot
{
    public static readonly MaintenanceSnapshot Up = new();

    public ImmutableArray<MaintenanceWindow> Windows { get; init; } = [];

    /// <summary>Counts applied changes since start; the scripts and the status page quote it.</summary>
    public long Generation { get; init; }

    /// <summary>SHA-256 of the sentinel's bytes (lower-case hex), or null when there is no sentinel.</summary>
    public string? SentinelSha256 { get; init; }

    /// <summary>When this state took effect.</summary>
    public DateTimeOffset Since { get; init; }

    /// <summary>Why the sentinel could not be read as written; the proxy is down with defaults then.</summary>
    public string? SentinelError { get; init; }

    public bool IsDown => !Windows.IsEmpty;

    /// <summary>The window that applies to a request, or null to forward it.</summary>
    public MaintenanceWindow? Match() => Windows.IsEmpty ? null : Windows[0];
}
