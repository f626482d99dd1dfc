using MaintProxy.Maintenance;
using MaintProxy.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MaintProxy.Tests.Maintenance;

/// <summary>The page served in maintenance: a loaded page stays in use while its file is not one to serve.</summary>
public sealed class MaintenancePageTests : IDisposable
{
    private const string Loaded = "<p>planned work</p>";
    private readonly TempDirectory _dir = new();
    private readonly MaintenanceOptions _options;

    public MaintenancePageTests() => _options = new MaintenanceOptions { SentinelPath = _dir.File("down"), PagePath = _dir.File("maint.html") };

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Reload_FileEmptiedWhileBeingCopiedOver_KeepsTheLoadedPage()
    {
        var page = LoadedPage();

        File.WriteAllText(_options.PagePath, "");
        page.Reload(force: true);

        Assert.Equal(Loaded, System.Text.Encoding.UTF8.GetString(page.Content));
    }

    [Fact]
    public void Reload_FileLargerThanAPageMayBe_KeepsTheLoadedPage()
    {
        var page = LoadedPage();

        File.WriteAllText(_options.PagePath, new string('x', 1024 * 1024 + 1));
        page.Reload(force: true);

        Assert.Equal(Loaded, System.Text.Encoding.UTF8.GetString(page.Content));
    }

    [Fact]
    public void Reload_AFolderInItsPlace_KeepsTheLoadedPage()
    {
        var page = LoadedPage();

        File.Delete(_options.PagePath);
        Directory.CreateDirectory(_options.PagePath);
        page.Reload(force: true);

        Assert.Equal(Loaded, System.Text.Encoding.UTF8.GetString(page.Content));
    }

    [Fact]
    public void Reload_FileGone_ServesTheBuiltInPage()
    {
        var page = LoadedPage();

        File.Delete(_options.PagePath);
        page.Reload(force: true);

        Assert.Same(BuiltInPage.Html, page.Content);
    }

    [Fact]
    public void Constructor_EmptyFile_ServesTheBuiltInPage()
    {
        File.WriteAllText(_options.PagePath, "");

        Assert.Same(BuiltInPage.Html, new MaintenancePage(Options.Create(_options), NullLogger<MaintenancePage>.Instance).Content);
    }

    [Fact]
    public async Task Watched_ASymbolicLinkWhoseTargetIsRewritten_TheNewPageIsLoadedByThePoll()
    {
        var elsewhere = _dir.File("elsewhere/maint.html");
        Directory.CreateDirectory(Path.GetDirectoryName(elsewhere)!);
        await File.WriteAllTextAsync(elsewhere, Loaded);
        File.CreateSymbolicLink(_options.PagePath, elsewhere);
        _options.FilePollInterval = TimeSpan.FromMilliseconds(50);
        var options = Options.Create(_options);
        var page = new MaintenancePage(options, NullLogger<MaintenancePage>.Instance);
        var state = new MaintenanceState(options, TimeProvider.System, NullLogger<MaintenanceState>.Instance);
        using var watcher = new MaintenanceFileWatcher(state, page, options, TimeProvider.System);
        await watcher.StartAsync(CancellationToken.None);
        Assert.Equal(Loaded, System.Text.Encoding.UTF8.GetString(page.Content));

        // The watcher on the link's folder is told nothing of a write in the target's folder: only the poll sees it.
        await File.WriteAllTextAsync(elsewhere, "<p>planned work, until noon</p>");

        Assert.True(
            await Eventually.TrueAsync(() => System.Text.Encoding.UTF8.GetString(page.Content) == "<p>planned work, until noon</p>", TimeSpan.FromSeconds(5)),
            "the rewritten page was not loaded");
    }

    private MaintenancePage LoadedPage()
    {
        File.WriteAllText(_options.PagePath, Loaded);
        var page = new MaintenancePage(Options.Create(_options), NullLogger<MaintenancePage>.Instance);
        Assert.Equal(Loaded, System.Text.Encoding.UTF8.GetString(page.Content));
        return page;
    }
}
