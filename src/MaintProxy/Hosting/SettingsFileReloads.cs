using MaintProxy.Maintenance;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace MaintProxy.Hosting;

/// <summary>
/// A settings file edited while the proxy runs is reloaded (the <c>ReverseProxy</c> section applies the
/// change). When the edit cannot be read (a missing comma, a file saved half-way, the file removed), the reload throws on a
/// background thread where nobody sees it, and the routes in use stay; this says so in the log, once the file
/// has settled (<see cref="SettledLoadFailureReport"/>).
/// The file's provider has emptied its values by then, so they are put back: otherwise the next reload of
/// any other source (appsettings.{Environment}.json saved meanwhile) would apply the settings without
/// that file's routes and clusters. A settings file that is a symbolic link is also polled (<see cref="LinkTargetChangeToken"/>).
/// </summary>
internal static class SettingsFileReloads
{
    public static void LogFailures(IConfigurationBuilder configuration, IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SettingsFileReloads).FullName!);
        var time = services.GetRequiredService<TimeProvider>();
        var linkPollInterval = services.GetRequiredService<IOptions<MaintenanceOptions>>().Value.FilePollInterval;
        var providers = (configuration as IConfigurationRoot)?.Providers.OfType<FileConfigurationProvider>().ToList() ?? [];
        foreach (var source in configuration.Sources.OfType<FileConfigurationSource>())
        {
            var provider = providers.Find(p => ReferenceEquals(p.Source, source));
            var lastGood = provider is null ? null : new LastGoodValues(provider);
            var failures = provider is null ? null : new SettledLoadFailureReport(provider, time, problem => HostingLog.SettingsFileNotReloaded(logger, problem));
            if (provider is not null && source is { ReloadOnChange: true, FileProvider: PhysicalFileProvider physical, Path: { } path })
            {
                var file = Path.Combine(physical.Root, path);
                ChangeToken.OnChange(() => LinkTargetChangeToken.Watch(file, time, linkPollInterval), () => ReloadLinked(provider, logger));
            }

            if (source.FileProvider is { } folder)
            {
                source.FileProvider = new RemovedFileKeptProvider(folder);
                source.FileProvider.GetFileInfo(source.Path ?? string.Empty); // a file there now is one seen
            }

            // Not ignored: the exception still stops the reload, so nothing is applied from the broken file.
            source.OnLoadException = context =>
            {
                lastGood?.Restore();
                // Removed, renamed away or unreadable (RemovedFileKeptProvider): its own line names the file.
                var problem = context.Exception.InnerException is IOException unreadable
                    ? unreadable.Message
                    : StartupFailure.Describe(context.Exception);
                if (failures is null)
                {
                    HostingLog.SettingsFileNotReloaded(logger, problem);
                }
                else
                {
                    failures.Failed(problem);
                }
            };
        }
    }

    // The provider's own reload, which a link swapped behind the file's name does not start; it runs on
    // the poll's timer, where an exception would end the process. A failed read is already logged (OnLoadException).
    private static void ReloadLinked(FileConfigurationProvider provider, ILogger logger)
    {
        try
        {
            provider.Load();
        }
        catch (InvalidDataException)
        {
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            HostingLog.SettingsFileNotReloaded(logger, StartupFailure.Describe(ex)); // the file changed again while it was opened
        }
        catch (Exception ex)
        {
            HostingLog.LinkedReloadFailed(logger, StartupFailure.Describe(ex)); // thrown by a reader of the reloaded values
        }
    }

    /// <summary>The values a file provider held after its last load that succeeded.</summary>
    private sealed class LastGoodValues
    {
        private readonly IConfigurationProvider _provider;
        private Dictionary<string, string?> _values;

        public LastGoodValues(IConfigurationProvider provider)
        {
            _provider = provider;
            _values = Read(provider);
            // A failed load throws before it signals a reload, so this sees successful loads only.
            ChangeToken.OnChange(provider.GetReloadToken, () => _values = Read(provider));
        }

        public void Restore()
        {
            foreach (var (key, value) in _values)
            {
                _provider.Set(key, value);
            }
        }

        private static Dictionary<string, string?> Read(IConfigurationProvider provider)
        {
            var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            Collect(provider, parentPath: null, values);
            return values;
        }

        private static void Collect(IConfigurationProvider provider, string? parentPath, Dictionary<string, string?> values)
        {
            foreach (var key in provider.GetChildKeys([], parentPath).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var path = parentPath is null ? key : ConfigurationPath.Combine(parentPath, key);
                if (provider.TryGet(path, out var value))
                {
                    values[path] = value;
                }

                Collect(provider, path, values);
            }
        }
    }
}
