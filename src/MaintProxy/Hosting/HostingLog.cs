namespace MaintProxy.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(6001, LogLevel.Debug, "Admin surface warmed up (status {StatusCode})")]
    public static partial void AdminWarmedUp(ILogger logger, int statusCode);

    [LoggerMessage(6002, LogLevel.Debug, "Admin surface warm-up skipped: {Problem}")]
    public static partial void AdminWarmupFailed(ILogger logger, string problem);

    [LoggerMessage(6003, LogLevel.Error, "{Problem} The edit is not applied: the configuration in use stays until the file is valid again.")]
    public static partial void SettingsFileNotReloaded(ILogger logger, string problem);

    [LoggerMessage(6020, LogLevel.Warning, "{Key} changed in the settings file: it is read at start only, so the proxy goes on with the value it started with; restart it to apply the change (maint/restart.sh or systemctl restart maintproxy.service)")]
    public static partial void SettingNeedsRestart(ILogger logger, string key);

    [LoggerMessage(6021, LogLevel.Error, "The settings file's {Section} section as now saved would stop the next start: {Problem} The proxy goes on with the settings it started with.")]
    public static partial void StartOnlySettingInvalid(ILogger logger, string section, string problem);

    [LoggerMessage(6022, LogLevel.Error, "{Problem} The edit is not applied: the level in use stays until the value is valid again.")]
    public static partial void LevelNotApplied(ILogger logger, string problem);

    [LoggerMessage(6023, LogLevel.Error, "Applying the settings file behind its link failed: {Problem} The proxy serves on; check the edit.")]
    public static partial void LinkedReloadFailed(ILogger logger, string problem);
}
