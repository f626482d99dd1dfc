namespace MaintProxy.Maintenance;

/// <summary>Answers by kind since start, for the status surface.</summary>
internal sealed class MaintenanceCounters
{
    private long _forwarded;
    private long _maintenance;
    private long _bypassed;
    private long _allowedPath;

    public long Forwarded => Interlocked.Read(ref _forwarded);

    public long Maintenance => Interlocked.Read(ref _maintenance);

    public long Bypassed => Interlocked.Read(ref _bypassed);

    public long AllowedPath => Interlocked.Read(ref _allowedPath);

    public void Count(MaintenanceOutcome? outcome)
    {
        switch (outcome)
        {
            case null or MaintenanceOutcome.ReadOnlyForwarded:
                Interlocked.Increment(ref _forwarded);
                break;
            case MaintenanceOutcome.AllowedPath:
                Interlocked.Increment(ref _allowedPath);
                break;
            case MaintenanceOutcome.Bypassed or MaintenanceOutcome.BypassGranted:
                Interlocked.Increment(ref _bypassed);
                break;
            default:
                Interlocked.Increment(ref _maintenance);
                break;
        }
    }
}
