namespace MaintProxy.Maintenance;

/// <summary>
/// Tells later middleware (the request log) what the switch did. One shared immutable instance per
/// outcome, so setting it allocates nothing.
/// </summary>
internal sealed class MaintenanceOutcomeFeature
{
    private static readonly MaintenanceOutcomeFeature[] Instances =
        Enum.GetValues<MaintenanceOutcome>().Select(o => new MaintenanceOutcomeFeature(o)).ToArray();

    private MaintenanceOutcomeFeature(MaintenanceOutcome outcome)
    {
        Outcome = outcome;
        LogName = outcome switch
        {
            MaintenanceOutcome.Maintenance => "maintenance",
            MaintenanceOutcome.AllowedPath => "allowed-path",
            MaintenanceOutcome.ReadOnlyForwarded => "read-only-forwarded",
            MaintenanceOutcome.Bypassed => "bypassed",
            _ => "bypass-granted",
        };
    }

    public MaintenanceOutcome Outcome { get; }

    public string LogName { get; }

    public static MaintenanceOutcomeFeature For(MaintenanceOutcome outcome) => Instances[(int)outcome];
}
