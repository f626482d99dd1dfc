using MaintProxy.Maintenance;
using MaintProxy.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MaintProxy.Tests.Maintenance;

public sealed class MaintenanceStateTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly MaintenanceOptions _options;

    public MaintenanceStateTests()
    {
        _options = new MaintenanceOptions
        {
            SentinelPath = _dir.File("down"),
            PagePath = _dir.File("maint.html"),
            FilePollInterval = TimeSpan.FromMilliseconds(50),
        };
    }

    public void Dispose() => _dir.Dispose();

    private (MaintenanceState State, MaintenanceFileWatcher Watcher) StartWatching()
    {
        var options = Options.Create(_options);
        var state = new MaintenanceState(options, TimeProvider.System, NullLogger<MaintenanceState>.Instance);
        var page = new MaintenancePage(options, NullLogger<MaintenancePage>.Instance);
        var watcher = new MaintenanceFileWatcher(state, page, options, TimeProvider.System);
        watcher.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        return (state, watcher);
    }

    [Fact]
    public void Constructor_SentinelPresent_StartsDown()
    {
        File.WriteAllText(_options.SentinelPath, "");

        var state = new MaintenanceState(Options.Create(_options), TimeProvider.System, NullLogger<MaintenanceState>.Instance);

        Assert.True(state.Current.IsDown);
        Assert.Equal(1, state.Current.Generation);
    }

    [Fact]
    public void PeriodicRefresh_SentinelRewrittenToTheSameSize_IsReadAgainForItsNewModificationTime()
    {
        // The periodic check is all there is on a file system without notifications: a rewrite that
        // keeps the size is known by its modification time alone.
        File.WriteAllText(_options.SentinelPath, "{\"reason\":\"aaaa\"}\n");
        var state = new MaintenanceState(Options.Create(_options), TimeProvider.System, NullLogger<MaintenanceState>.Instance);
        var written = File.GetLastWriteTimeUtc(_options.SentinelPath);

        File.WriteAllText(_options.SentinelPath, "{\"reason\":\"bbbb\"}\n");
        File.SetLastWriteTimeUtc(_options.SentinelPath, written.AddSeconds(1));
        var refreshed = state.Refresh(force: false);

        Assert.Equal("bbbb", Assert.Single(refreshed.Windows).Reason);
        Assert.Equal(2, refreshed.Generation);
    }

    [Fact]
    public async Task Sentinel_CreatedThenRemoved_StateFollowsWithoutExplicitRefresh()
    {
        var (state, watcher) = StartWatching();
        using var _ = watcher;
        Assert.False(state.Current.IsDown);

        await File.WriteAllTextAsync(_options.SentinelPath, "");
        Assert.True(await Eventually.TrueAsync(() => state.Current.IsDown, TimeSpan.FromSeconds(30)));

        File.Delete(_options.SentinelPath);
        Assert.True(await Eventually.TrueAsync(() => !state.Current.IsDown, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Sentinel_ReplacedByRename_NewContentIsApplied()
    {
        await File.WriteAllTextAsync(_options.SentinelPath, """{"reason":"first"}""");
        var (state, watcher) = StartWatching();
        using var _ = watcher;
        Assert.Equal("first", state.Current.Windows[0].Reason);

        var temp = _dir.File(".down.tmp");
        await File.WriteAllTextAsync(temp, """{"reason":"second"}""");
        File.Move(temp, _options.SentinelPath, overwrite: true);

        Assert.True(await Eventually.TrueAsync(() => state.Current.Windows[0].Reason == "second", TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Refresh_UnchangedFile_KeepsGeneration()
    {
        File.WriteAllText(_options.SentinelPath, "");
        var state = new MaintenanceState(Options.Create(_options), TimeProvider.System, NullLogger<MaintenanceState>.Instance);

        state.Refresh(force: true);
        state.Refresh(force: false);

        Assert.Equal(1, state.Current.Generation);
    }

    [Fact]
    public void Refresh_DirectoryMissing_IsUpAndDoesNotThrow()
    {
        var options = new MaintenanceOptions { SentinelPath = _dir.File("no/such/dir/down") };

        var state = new MaintenanceState(Options.Create(options), TimeProvider.System, NullLogger<MaintenanceState>.Instance);

        Assert.False(state.Refresh(force: true).IsDown);
    }

    [Fact]
    public void Sentinel_AFolder_FailsClosedSayingSo()
    {
        Directory.CreateDirectory(_options.SentinelPath);

        var state = new MaintenanceState(Options.Create(_options), TimeProvider.System, NullLogger<MaintenanceState>.Instance);

        Assert.True(state.Current.IsDown);
        Assert.Equal("it is a folder, not a file", state.Current.SentinelError);
    }

    [Fact]
    public void Sentinel_LargerThanASentinelMayBe_FailsClosedWithoutReadingIt()
    {
        File.WriteAllText(_options.SentinelPath, """{"site":"other.example"}""" + new string(' ', 1024 * 1024));

        var state = new MaintenanceState(Options.Create(_options), TimeProvider.System, NullLogger<MaintenanceState>.Instance);

        Assert.True(state.Current.IsDown);
        Assert.Null(state.Current.Windows[0].Site);
        Assert.Contains("more than the 1048576 a sentinel may hold", state.Current.SentinelError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sentinel_ASymbolicLink_RewritingItsTargetIsApplied()
    {
        var elsewhere = _dir.File("elsewhere/target");
        Directory.CreateDirectory(Path.GetDirectoryName(elsewhere)!);
        await File.WriteAllTextAsync(elsewhere, """{"reason":"first"}""");
        File.CreateSymbolicLink(_options.SentinelPath, elsewhere);
        var (state, watcher) = StartWatching();
        using var _ = watcher;
        Assert.Equal("first", state.Current.Windows[0].Reason);

        await File.WriteAllTextAsync(elsewhere, """{"reason":"second, longer"}""");

        Assert.True(await Eventually.TrueAsync(() => state.Current.Windows[0].Reason == "second, longer", TimeSpan.FromSeconds(30)));

        File.Delete(elsewhere);

        Assert.True(await Eventually.TrueAsync(() => !state.Current.IsDown, TimeSpan.FromSeconds(30)), "a link to nothing is no sentinel");
    }
}
