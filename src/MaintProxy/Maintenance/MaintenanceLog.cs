namespace MaintProxy.Maintenance;

internal static partial class MaintenanceLog
{
    [LoggerMessage(1001, LogLevel.Warning, "Maintenance is ON (generation {Generation}) from sentinel {SentinelPath}: {WindowCount} window(s): {Windows}")]
    public static partial void MaintenanceOn(ILogger logger, long generation, string sentinelPath, int windowCount, string windows);

    [LoggerMessage(1002, LogLevel.Warning, "Maintenance is OFF (generation {Generation}): sentinel {SentinelPath} is gone, forwarding again")]
    public static partial void MaintenanceOff(ILogger logger, long generation, string sentinelPath);

    [LoggerMessage(1003, LogLevel.Error, "Sentinel {SentinelPath} could not be read as written ({Problem}); failing closed: everything is in maintenance with default options")]
    public static partial void SentinelUnreadable(ILogger logger, string sentinelPath, string problem);

    [LoggerMessage(1004, LogLevel.Warning, "Maintenance page {PagePath} is missing or unreadable ({Problem}); serving the built-in page")]
    public static partial void PageFallback(ILogger logger, string pagePath, string problem);

    [LoggerMessage(1007, LogLevel.Warning, "Maintenance page {PagePath} was not loaded ({Problem}); serving {InUse}")]
    public static partial void PageNotLoaded(ILogger logger, string pagePath, string problem, string inUse);

    [LoggerMessage(1005, LogLevel.Information, "Maintenance page loaded from {PagePath} ({Bytes} bytes)")]
    public static partial void PageLoaded(ILogger logger, string pagePath, int bytes);

    [LoggerMessage(1006, LogLevel.Warning, "Maintenance (generation {Generation}) closed {Count} upgraded connection(s) (WebSocket) to the sites it covers")]
    public static partial void UpgradesClosed(ILogger logger, long generation, int count);

    [LoggerMessage(1008, LogLevel.Warning, "Maintenance (generation {Generation}) closed {Count} request stream(s) still sending their body to the sites it covers")]
    public static partial void RequestStreamsClosed(ILogger logger, long generation, int count);

    [LoggerMessage(1010, LogLevel.Information, "Watching sentinel {SentinelPath} (Maintenance:SentinelPath {Configured}; relative paths start at the working directory {WorkingDirectory})")]
    public static partial void WatchingSentinel(ILogger logger, string sentinelPath, string configured, string workingDirectory);

    [LoggerMessage(1011, LogLevel.Warning, "The folder of sentinel {SentinelPath} does not exist, so no sentinel written elsewhere puts this proxy in maintenance: Maintenance:SentinelPath {Configured} starts at the working directory {WorkingDirectory}. Start the proxy in the folder that holds maint/ (systemd: WorkingDirectory=), or give an absolute Maintenance:SentinelPath")]
    public static partial void SentinelFolderMissing(ILogger logger, string sentinelPath, string configured, string workingDirectory);

    [LoggerMessage(1012, LogLevel.Warning, "The folder of sentinel {SentinelPath} does not exist, so no sentinel puts this proxy in maintenance until it does: create the folder, or correct Maintenance:SentinelPath")]
    public static partial void AbsoluteSentinelFolderMissing(ILogger logger, string sentinelPath);
}
