namespace MaintProxy.Maintenance;

/// <summary>One maintenance window, as one line of the sentinel describes it.</summary>
internal sealed record MaintenanceWindow
{
    /// <summary>A window with every option at its default: what an empty sentinel means.</summary>
    public static readonly MaintenanceWindow Everything = new();

    /// <summary>The id the scripts wrote, so that the status can show which window is which.</summary>
    public string? Id { get; init; }

    /// <summary>The operator's reason, shown on the page and in the logs.</summary>
    public string? Reason { get; init; }

    /// <summary><c>Retry-After</c> seconds for this window; null for the configured default.</summary>
    public int? RetryAfterSeconds { get; init; }
}
