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

    private MaintenancePage LoadedPage()
    {
        File.WriteAllText(_options.PagePath, Loaded);
        var page = new MaintenancePage(Options.Create(_options), NullLogger<MaintenancePage>.Instance);
        Assert.Equal(Loaded, System.Text.Encoding.UTF8.GetString(page.Content));
        return page;
    }
}
