using MaintProxy.FastCgi;

namespace MaintProxy.Tests.FastCgi;

/// <summary>The temporary file of a buffered body is closed on every way out, also mid-way through moving the body into it.</summary>
public sealed class FastCgiBufferedBodyTests
{
    [Fact]
    public async Task ClientLeavesAsTheBodyMovesToAFile_TheFileIsClosedWithTheBody()
    {
        var before = OpenBodyFiles();
        var body = new FastCgiBufferedBody(cap: 1 << 20);
        await body.WriteAsync(new byte[60 * 1024]);
        using var left = new CancellationTokenSource();
        await left.CancelAsync();

        // Past 64 KiB the body moves to a file; the client's leaving cancels the move.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => body.WriteAsync(new byte[8 * 1024], left.Token).AsTask());
        await body.DisposeAsync();

        Assert.Equal(before, OpenBodyFiles());
    }

    private static int OpenBodyFiles() =>
        new DirectoryInfo("/proc/self/fd").GetFileSystemInfos()
            .Count(fd => (fd.LinkTarget ?? "").Contains("maintproxy-body-", StringComparison.Ordinal));
}
