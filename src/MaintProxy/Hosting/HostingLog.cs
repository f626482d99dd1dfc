namespace MaintProxy.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(4001, LogLevel.Debug, "Admin surface warmed up (status {StatusCode})")]
    public static partial void AdminWarmedUp(ILogger logger, int statusCode);

    [LoggerMessage(4002, LogLevel.Debug, "Admin surface warm-up skipped: {Problem}")]
    public static partial void AdminWarmupFailed(ILogger logger, string problem);

    [LoggerMessage(4003, LogLevel.Error, "{Problem} The edit is not applied: the configuration in use stays until the file is valid again.")]
    public static partial void SettingsFileNotReloaded(ILogger logger, string problem);
}
