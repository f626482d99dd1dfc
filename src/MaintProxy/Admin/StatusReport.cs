using MaintProxy.Maintenance;

namespace MaintProxy.Admin;

/// <summary>What the status surface tells the scripts and the operator.</summary>
internal sealed record StatusReport(
    string State,
    long Generation,
    DateTimeOffset Since,
    string SentinelPath,
    string? SentinelSha256,
    string? SentinelError,
    string PagePath,
    IReadOnlyList<WindowReport> Windows,
    AnswerCounts Answers,
    IReadOnlyDictionary<string, int> InFlight)
{
    public static StatusReport From(MaintenanceSnapshot snapshot, MaintenanceState state, MaintenancePage page, MaintenanceCounters counters, InFlightRequests inFlight) => new(
        snapshot.IsDown ? "down" : "up",
        snapshot.Generation,
        snapshot.Since,
        state.SentinelPath,
        snapshot.SentinelSha256,
        snapshot.SentinelError,
        page.PagePath,
        snapshot.Windows.Select(WindowReport.From).ToList(),
        new AnswerCounts(counters.Forwarded, counters.Maintenance, counters.Bypassed, counters.AllowedPath),
        inFlight.CountByCluster());
}

/// <summary>A window as the status shows it: never the secret's hash, only whether there is one.</summary>
internal sealed record WindowReport(string? Id, string Site, DateTimeOffset? Since, string? Reason, int? RetryAfterSeconds, DateTimeOffset? Until, bool ReadOnly, IReadOnlyList<string> Allow, bool Secret)
{
    public static WindowReport From(MaintenanceWindow w) =>
        new(w.Id, w.Site ?? "*", w.Since, w.Reason, w.RetryAfterSeconds, w.Until, w.ReadOnly, w.Allow, w.SecretHash is not null);
}

/// <summary>Answers by kind since the proxy started.</summary>
internal sealed record AnswerCounts(long Forwarded, long Maintenance, long Bypassed, long AllowedPath);
