using System.Text.RegularExpressions;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>Each down.sh and up.sh re-reads the page; only a page that changed is logged as loaded.</summary>
public sealed class MaintenancePageReloadEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task Switches_PageUnchanged_LoggedOnlyWhenItsBytesChangeOrItLoadsAfterAProblem()
    {
        var pagePath = Dir.File("maint.html");
        await File.WriteAllTextAsync(pagePath, "<p>one</p>");
        await using var proxy = await StartProxyAsync(new Dictionary<string, string> { ["Maintenance:PagePath"] = pagePath });
        var loaded = $"Maintenance page loaded from {pagePath} (";

        await SwitchAsync(proxy, Scripts.DownAsync(proxy), "Maintenance is ON (generation 2)");
        await SwitchAsync(proxy, Scripts.UpAsync(proxy), "Maintenance is OFF (generation 3)");
        await SwitchAsync(proxy, Scripts.DownAsync(proxy), "Maintenance is ON (generation 4)");
        Assert.True(Count(proxy, loaded) == 1, proxy.Output);

        await ReplaceAsync(pagePath, "<p>two</p>");
        await SwitchAsync(proxy, Scripts.UpAsync(proxy), "Maintenance is OFF (generation 5)");
        await SwitchAsync(proxy, Scripts.DownAsync(proxy), "Maintenance is ON (generation 6)");
        Assert.True(Count(proxy, loaded) == 2, proxy.Output);

        // A problem is still said, and the page that loads after it is news again, even with the same bytes.
        await File.WriteAllTextAsync(pagePath, "");
        await SwitchAsync(proxy, Scripts.UpAsync(proxy), "Maintenance is OFF (generation 7)");
        Assert.True(Count(proxy, $"Maintenance page {pagePath} was not loaded (it is empty)") == 1, proxy.Output);
        await ReplaceAsync(pagePath, "<p>two</p>");
        await SwitchAsync(proxy, Scripts.DownAsync(proxy), "Maintenance is ON (generation 8)");
        Assert.True(Count(proxy, loaded) == 3, proxy.Output);
    }

    private static async Task SwitchAsync(ProxyProcess proxy, Task<ScriptResult> script, string logged)
    {
        var result = await script;
        Assert.True(result.ExitCode == 0, result.Stderr);
        // The page is read before the sentinel is applied: its line is written before this one.
        Assert.True(await proxy.WaitForOutputAsync(logged, TimeSpan.FromSeconds(10)), proxy.Output);
    }

    private static async Task ReplaceAsync(string path, string content)
    {
        await File.WriteAllTextAsync(path + ".new", content);
        File.Move(path + ".new", path, overwrite: true);
    }

    private static int Count(ProxyProcess proxy, string text) => Regex.Count(proxy.Output, Regex.Escape(text));
}
