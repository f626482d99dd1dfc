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

    public void Count(MaintenanceOutcome? outcome) => Interlocked.Increment(ref CounterOf(outcome));

    /// <summary>A request counted as <paramref name="from"/> was answered as <paramref name="to"/> after all.</summary>
    public void Recount(MaintenanceOutcome? from, MaintenanceOutcome to)
    {
        Interlocked.Decrement(ref CounterOf(from));
        Interlocked.Increment(ref CounterOf(to));
    }

    private ref long CounterOf(MaintenanceOutcome? outcome)
    {
        switch (outcome)
        {
            case null or MaintenanceOutcome.ReadOnlyForwarded:
                return ref _forwarded;
            case MaintenanceOutcome.AllowedPath:
                return ref _allowedPath;
            case MaintenanceOutcome.Bypassed or MaintenanceOutcome.BypassGranted:
                return ref _bypassed;
            default:
                return ref _maintenance;
        }
    }
}
