using MaintProxy.Maintenance;

namespace MaintProxy.Admin;

/// <summary>A window as the status shows it: never the secret's hash, only whether there is one.</summary>
internal sealed record WindowReport(string? Id, string Site, DateTimeOffset? Since, string? Reason, int? RetryAfterSeconds, DateTimeOffset? Until, bool ReadOnly, IReadOnlyList<string> Allow, bool Secret)
{
    public static WindowReport From(MaintenanceWindow w) =>
        new(w.Id, w.Site ?? "*", w.Since, w.Reason, w.RetryAfterSeconds, w.Until, w.ReadOnly, w.Allow, w.SecretHash is not null);
}
