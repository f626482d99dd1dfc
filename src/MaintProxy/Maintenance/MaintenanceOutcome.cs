namespace MaintProxy.Maintenance;

/// <summary>What the maintenance switch did with a request that met an active window.</summary>
internal enum MaintenanceOutcome
{
    /// <summary>Answered with the maintenance response.</summary>
    Maintenance,

    /// <summary>Forwarded: the path is always allowed.</summary>
    AllowedPath,

    /// <summary>Forwarded: a safe method in a read-only window.</summary>
    ReadOnlyForwarded,

    /// <summary>Forwarded: the client's address, the secret or the bypass cookie let it through.</summary>
    Bypassed,

    /// <summary>The secret's URL: answered with the bypass cookie and a redirect.</summary>
    BypassGranted,
}
