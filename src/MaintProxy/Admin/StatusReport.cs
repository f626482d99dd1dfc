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
    string WorkingDirectory,
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
        state.WorkingDirectory,
        snapshot.Windows.Select(WindowReport.From).ToList(),
        new AnswerCounts(counters.Forwarded, counters.Maintenance, counters.Bypassed, counters.AllowedPath),
        inFlight.CountByCluster());
}
