using System.Text.RegularExpressions;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>A maintenance page the proxy's user may not read: said once, and the built-in page served.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are Unix ones
public sealed class MaintenancePagePermissionsEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task Start_PageInAFolderTheProxyUserCannotRead_SaysSoOnceEvenAfterDown()
    {
        // The proxy runs as nobody, the scripts as root: tests running as root only.
        if (!Environment.IsPrivilegedProcess)
        {
            return;
        }

        var folder = Directory.CreateDirectory(Dir.File("pages")).FullName;
        var pagePath = Path.Combine(folder, "maint.html");
        File.WriteAllText(pagePath, "<p>planned work</p>");
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["Maintenance:PagePath"] = pagePath,
        }, asNobody: true);

        var down = await Scripts.DownAsync(proxy, "--reason", "upgrade");
        Assert.True(down.ExitCode == 0, $"exit {down.ExitCode}: {down.Stderr}");

        var notLoaded = Regex.Matches(proxy.Output, Regex.Escape($"Maintenance page {pagePath} was not loaded (permission denied"));
        Assert.True(notLoaded.Count == 1, proxy.Output);
    }
}
