using MaintProxy.Files;
using Microsoft.Extensions.Options;

namespace MaintProxy.Maintenance;

/// <summary>Keeps <see cref="MaintenanceState"/> and <see cref="MaintenancePage"/> in step with their files.</summary>
internal sealed class MaintenanceFileWatcher(
    MaintenanceState state,
    MaintenancePage page,
    IOptions<MaintenanceOptions> options,
    TimeProvider timeProvider) : IHostedService, IDisposable
{
    private FileChangeWatcher? _sentinelWatcher;
    private FileChangeWatcher? _pageWatcher;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.FilePollInterval;
        _sentinelWatcher = new FileChangeWatcher(state.SentinelPath, interval, timeProvider,
            kind => state.Refresh(force: kind == FileChangeKind.Notified));
        _pageWatcher = new FileChangeWatcher(page.PagePath, interval, timeProvider,
            kind => page.Reload(force: kind == FileChangeKind.Notified));

        // A change between the constructors' first read and the watchers' start is not missed.
        state.Refresh(force: false);
        page.Reload(force: false);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _sentinelWatcher?.Dispose();
        _pageWatcher?.Dispose();
    }
}
