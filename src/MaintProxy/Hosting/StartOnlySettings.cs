using MaintProxy.Admin;
using MaintProxy.Demo;
using MaintProxy.FastCgi;
using MaintProxy.Lifetime;
using MaintProxy.Maintenance;
using MaintProxy.Proxy;
using MaintProxy.Transport;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Serilog.Events;

namespace MaintProxy.Hosting;

/// <summary>
/// A saved edit of a setting that is read at start only (everything but <c>ReverseProxy</c>,
/// <c>AllowedHosts</c> and the Serilog levels) changes nothing in the running proxy: this says so once
/// per key and value, naming the key, and says when the edited section would stop the next start. A
/// Serilog level that is not a level is named too: Serilog keeps the level in use without a word.
/// </summary>
internal sealed class StartOnlySettings(IConfiguration configuration, IServiceProvider services, ILogger<StartOnlySettings> logger) : IHostedService
{
    private static readonly string[] StartOnlySections =
        ["Kestrel", "Maintenance", "Admin", "DemoBackend", "HttpBackends", "Lifetime", "FastCgi", "Transport", "ConsoleLog", "Serilog"];

    private const string LevelsPrefix = "Serilog:MinimumLevel:";

    private readonly Lock _gate = new();
    private Dictionary<string, string?> _atStart = [];
    private readonly Dictionary<string, string?> _reported = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _reportedProblems = new(StringComparer.Ordinal);
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _atStart = Read();
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Compare);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private void Compare()
    {
        lock (_gate)
        {
            var now = Read();
            foreach (var key in now.Keys.Union(_atStart.Keys, StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase))
            {
                var value = now.GetValueOrDefault(key);
                if (IsLiveLevel(key))
                {
                    ReportIfNotALevel(key, value);
                    continue;
                }

                var changed = !string.Equals(value, _atStart.GetValueOrDefault(key), StringComparison.Ordinal);
                if (!changed)
                {
                    _reported.Remove(key);
                }
                else if (!_reported.TryGetValue(key, out var reported) || !string.Equals(reported, value, StringComparison.Ordinal))
                {
                    _reported[key] = value;
                    HostingLog.SettingNeedsRestart(logger, key);
                }
            }

            CheckOptions();
        }
    }

    // Serilog applies Default and the Override entries the file held at start; an entry added later waits for a restart.
    private bool IsLiveLevel(string key) =>
        key.Equals(LevelsPrefix + "Default", StringComparison.OrdinalIgnoreCase)
        || (key.StartsWith(LevelsPrefix + "Override:", StringComparison.OrdinalIgnoreCase) && _atStart.ContainsKey(key));

    private void ReportIfNotALevel(string key, string? value)
    {
        if (value is null || Enum.TryParse<LogEventLevel>(value, ignoreCase: true, out _))
        {
            _reportedProblems.Remove(key);
            return;
        }

        var problem = $"{key} must be Verbose, Debug, Information, Warning, Error or Fatal; it is '{value}'.";
        if (_reportedProblems.TryAdd(key, problem) || _reportedProblems[key] != problem)
        {
            _reportedProblems[key] = problem;
            HostingLog.LevelNotApplied(logger, problem);
        }
    }

    // Bound and validated afresh as at start; the options in use are not touched.
    private void CheckOptions()
    {
        Check<MaintenanceOptions>(MaintenanceOptions.SectionName);
        Check<LifetimeOptions>(LifetimeOptions.SectionName);
        Check<AdminOptions>(AdminOptions.SectionName);
        Check<DemoBackendOptions>(DemoBackendOptions.SectionName);
        Check<HttpBackendsOptions>(HttpBackendsOptions.SectionName);
        Check<FastCgiOptions>(FastCgiOptions.SectionName);
        Check<TransportOptions>(TransportOptions.SectionName);
        Check<ConsoleLogOptions>(ConsoleLogOptions.SectionName);
    }

    private void Check<TOptions>(string section) where TOptions : class
    {
        string? problem = null;
        try
        {
            services.GetRequiredService<IOptionsFactory<TOptions>>().Create(Options.DefaultName);
        }
        // ArgumentException: a path with a NUL in it, which a validator's file check throws on. Not
        // caught, it left the reload's callbacks, and ended the process when the link poll started the reload.
        catch (Exception ex) when (StartupFailure.IsReportedAtExit(ex) || ex is ArgumentException)
        {
            problem = StartupFailure.Describe(ex);
        }

        if (problem is null)
        {
            _reportedProblems.Remove(section);
        }
        else if (!_reportedProblems.TryGetValue(section, out var reported) || reported != problem)
        {
            _reportedProblems[section] = problem;
            HostingLog.StartOnlySettingInvalid(logger, section, problem);
        }
    }

    private Dictionary<string, string?> Read()
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in StartOnlySections)
        {
            foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
            {
                if (value is not null)
                {
                    values[key] = value;
                }
            }
        }

        return values;
    }
}
