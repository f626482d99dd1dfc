using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>
/// A proxy running as a service user, and operators who are someone else: a sentinel the proxy may
/// not look at fails closed, and the scripts say which user needs which access.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are Unix ones
public sealed class SentinelPermissionsEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task Down_SentinelFolderTheProxyUserCannotSearch_FailsClosedAndNamesTheUser()
    {
        // The proxy runs as nobody, the scripts as root (who may search any folder): tests running as root only.
        if (!Environment.IsPrivilegedProcess)
        {
            return;
        }

        var folder = Directory.CreateDirectory(Dir.File("maint")).FullName;
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var sentinel = Path.Combine(folder, "down");
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, asNobody: true);
        using var client = new HttpClient();

        using (var response = await client.GetAsync(proxy.PublicUrl + "/"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("1", Assert.Single(response.Headers.GetValues("X-Maintenance-Mode")));
        }

        var down = await Scripts.DownAsync(proxy, "--reason", "upgrade");
        Assert.Equal(1, down.ExitCode);
        Assert.StartsWith($"down: the proxy cannot read {sentinel}: permission denied: a folder on the way to {sentinel} may not be searched. " +
            "The proxy runs as user nobody: give it search (x) access to each folder on the way and read access to the file", down.Stderr, StringComparison.Ordinal);
        Assert.Contains("It fails closed: EVERY site is in maintenance now", down.Stderr, StringComparison.Ordinal);

        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        var up = await Scripts.UpAsync(proxy);
        Assert.True(up.ExitCode == 0, $"exit {up.ExitCode}: {up.Stderr}");
        using (var response = await client.GetAsync(proxy.PublicUrl + "/"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Start_SentinelInAFolderTheProxyUserCannotSearch_SaysSoRatherThanThatTheFolderDoesNotExist()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return;
        }

        var closed = Directory.CreateDirectory(Dir.File("closed")).FullName;
        var sentinel = Path.Combine(Directory.CreateDirectory(Path.Combine(closed, "maint")).FullName, "down");
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["Maintenance:SentinelPath"] = sentinel,
        }, asNobody: true);

        Assert.Contains($"Watching sentinel {sentinel}", proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("does not exist", proxy.Output, StringComparison.Ordinal);
        Assert.Contains($"permission denied: a folder on the way to {sentinel} may not be searched", proxy.Output, StringComparison.Ordinal);
    }
}
