using System.Net;
using System.Security.Cryptography;
using MaintProxy.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// The proxy's temporary folder full for real (a small tmpfs as its <c>TMPDIR</c>): an upload that
/// cannot be buffered is refused clearly and never runs; a download goes on at the client's pace.
/// </summary>
public sealed class FastCgiFullDiskEndToEndTests(ITestOutputHelper output) : FastCgiEndToEndTest
{
    private const int TmpfsKibibytes = 512;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UploadLargerThanTheFreeSpace_Gets507WithoutRunning_AndTheSpaceIsFreeForTheNextOne(bool chunked)
    {
        using var tmpfs = MountOnTheProxysTemporaryFolder();
        if (tmpfs is null)
        {
            return;
        }

        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(15));

        using var request = new HttpRequestMessage(HttpMethod.Post, proxy.PublicUrl + "/upload.php") { Content = new ByteArrayContent(new byte[2 * 1024 * 1024]) };
        request.Headers.TransferEncodingChunked = chunked;
        using var tooLarge = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.InsufficientStorage, tooLarge.StatusCode);
        Assert.True(await proxy.WaitForOutputAsync("cannot be buffered in a temporary file (No space left on device", TimeSpan.FromSeconds(5)), proxy.Output);
        Assert.DoesNotContain(FastCgiPeer.AccessLog(Dir), line => line.StartsWith("POST", StringComparison.Ordinal));

        // Nothing of the refused body holds the space: a body that fits is buffered in the same folder.
        var fits = new byte[TmpfsKibibytes * 1024 * 3 / 4];
        Random.Shared.NextBytes(fits);
        using var next = await Client.PostAsync(proxy.PublicUrl + "/upload.php", new ByteArrayContent(fits));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal($"{fits.Length} {Convert.ToHexStringLower(SHA256.HashData(fits))}", await next.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DownloadLargerThanTheFreeSpace_GoesOnAtTheClientsPace_WithAWarning()
    {
        using var tmpfs = MountOnTheProxysTemporaryFolder();
        if (tmpfs is null)
        {
            return;
        }

        await using var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        await using var proxy = await FastCgiProxy.StartAsync(Dir, fpm, 1, TimeSpan.FromSeconds(15));
        using var stalled = await StalledReader.SendAsync(proxy.PublicPort, "/download.php?mb=16");

        Assert.True(await proxy.WaitForOutputAsync("cannot be spooled to a temporary file (No space left on device", TimeSpan.FromSeconds(10)), proxy.Output);
        var (head, length, intact) = await stalled.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal);
        Assert.Equal(16L * 1024 * 1024, length);
        Assert.True(intact, "the body differs from what the script wrote");
        using var next = await Client.GetAsync(proxy.PublicUrl + "/hello.php");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    /// <summary>The small tmpfs as the proxy's <c>TMPDIR</c>, or null (said in the output) where this user may not mount.</summary>
    private SmallTmpfs? MountOnTheProxysTemporaryFolder()
    {
        var tmpfs = SmallTmpfs.TryMount(Path.Combine(Dir.Path, "proxy", "tmp"), TmpfsKibibytes, out var reason);
        if (tmpfs is null)
        {
            output.WriteLine($"Not run: cannot mount a tmpfs here ({reason.Trim()})");
        }

        return tmpfs;
    }
}
