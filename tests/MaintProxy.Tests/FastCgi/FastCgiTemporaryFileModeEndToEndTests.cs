using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// The temporary files that hold request and response bodies are the proxy user's alone from the moment
/// they exist: another local user who sees one appear in a shared <c>TMPDIR</c> cannot open it before the
/// unlink and read the bodies written to it.
/// </summary>
public sealed class FastCgiTemporaryFileModeEndToEndTests : FastCgiEndToEndTest
{
    private const string OwnerReadWrite = "600";

    [Fact]
    public async Task BufferedUploadAndSpooledDownload_TheirTemporaryFilesAreReadableByTheOwnerOnly()
    {
        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(15));

        // An upload still arriving is buffered in a file past 64 KiB.
        using var upload = new TcpClient();
        await upload.ConnectAsync(IPAddress.Loopback, proxy.PublicPort);
        await upload.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
            "POST /upload.php HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1048576\r\n\r\n"));
        await upload.GetStream().WriteAsync(new byte[256 * 1024]);
        Assert.True(await Eventually.TrueAsync(() => OpenFileModes(proxy, "maintproxy-body-").Count == 1, TimeSpan.FromSeconds(10)),
            "no body file was opened");

        // A download its client does not read is spooled to a file past 64 KiB.
        using var stalled = await StalledReader.SendAsync(proxy.PublicPort, "/download.php?mb=4");
        Assert.True(await Eventually.TrueAsync(() => OpenFileModes(proxy, "maintproxy-response-").Count == 1, TimeSpan.FromSeconds(10)),
            "no spool file was opened");

        Assert.Equal([OwnerReadWrite], OpenFileModes(proxy, "maintproxy-body-"));
        Assert.Equal([OwnerReadWrite], OpenFileModes(proxy, "maintproxy-response-"));
    }

    /// <summary>The permission bits (<c>stat -L -c %a</c>) of the proxy's open files whose name has this prefix (unlinked, so seen only through its descriptors).</summary>
    private static List<string> OpenFileModes(ProxyProcess proxy, string namePrefix)
    {
        var modes = new List<string>();
        foreach (var fd in Directory.EnumerateFiles($"/proc/{proxy.Pid}/fd"))
        {
            try
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.Contains(namePrefix, StringComparison.Ordinal))
                {
                    using var stat = Process.Start(new ProcessStartInfo("stat", ["-L", "-c", "%a", fd]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
                    var output = stat.StandardOutput.ReadToEnd();
                    stat.WaitForExit();
                    if (stat.ExitCode == 0)
                    {
                        modes.Add(output.Trim());
                    }
                }
            }
            catch (IOException)
            {
                // Closed meanwhile.
            }
        }

        return modes;
    }
}
