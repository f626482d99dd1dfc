using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Serialization;

namespace MaintProxy.Maintenance;

/// <summary>One maintenance window, as one line of the sentinel describes it.</summary>
internal sealed record MaintenanceWindow
{
    /// <summary>A window with every option at its default: what an empty sentinel means.</summary>
    public static readonly MaintenanceWindow Everything = new();

    /// <summary>The id the scripts wrote, so that the status can show which window is which.</summary>
    public string? Id { get; init; }

    /// <summary>A request host name or a YARP cluster id; null for every site.</summary>
    public string? Site { get; init; }

    /// <summary>When the operator started this window (as the script wrote it).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>The operator's reason, shown on the page and in the logs.</summary>
    public string? Reason { get; init; }

    /// <summary><c>Retry-After</c> seconds for this window; null for the configured default.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>When the operator expects to be done; sent as an HTTP-date <c>Retry-After</c>.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Safe methods (GET, HEAD, OPTIONS, TRACE) are still forwarded; only writes are stopped.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Client networks (CIDR) that bypass this window.</summary>
    public ImmutableArray<string> Allow { get; init; } = [];

    /// <summary>SHA-256 (hex) of the bypass secret; the secret itself is never stored.</summary>
    public string? SecretSha256 { get; init; }

    /// <summary><see cref="Allow"/> parsed; filled in by the parser.</summary>
    [JsonIgnore]
    public ImmutableArray<IPNetwork> AllowNetworks { get; init; } = [];

    /// <summary><see cref="SecretSha256"/> as bytes; filled in by the parser.</summary>
    [JsonIgnore]
    public byte[]? SecretHash { get; init; }

    /// <summary><see cref="Site"/> as a host name (<see cref="HostNames.Canonical"/>); filled in by the parser.</summary>
    [JsonIgnore]
    public string? SiteHost { get; init; }

    public bool AppliesToEverySite => Site is null;
}
