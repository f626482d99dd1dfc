using Microsoft.Extensions.Configuration;

namespace MaintProxy.Hosting;

/// <summary>
/// A settings file edited while the proxy runs is reloaded (the <c>ReverseProxy</c> section applies the
/// change). When the edit cannot be read (a missing comma, a file saved half-way), the reload throws on a
/// background thread where nobody sees it, and the routes in use stay; this says so in the log.
/// </summary>
internal static class SettingsFileReloads
{
    public static void LogFailures(IConfigurationBuilder configuration, IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SettingsFileReloads).FullName!);
        foreach (var source in configuration.Sources.OfType<FileConfigurationSource>())
        {
            // Not ignored: the exception still stops the reload, so nothing is applied from the broken file.
            source.OnLoadException = context => HostingLog.SettingsFileNotReloaded(logger, StartupFailure.Describe(context.Exception));
        }
    }
}
