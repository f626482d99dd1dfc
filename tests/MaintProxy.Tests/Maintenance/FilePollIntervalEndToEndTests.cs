using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>
/// <c>Maintenance:FilePollInterval</c> is how often the page and the sentinel are checked when no
/// notification comes: here the page's folder is replaced, so its watcher, on the old folder, sees nothing.
/// </summary>
public sealed class FilePollIntervalEndToEndTests : EndToEndTest
{
    // Eight checks at the 250 ms default.
    private static readonly TimeSpan SeveralDefaultIntervals = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData("00:00:00.100", true)]
    [InlineData("00:01:00", false)]
    public async Task PageInAReplacedFolder_IsReloadedByTheCheckAtThatInterval(string interval, bool reloaded)
    {
        var pages = Directory.CreateDirectory(Dir.File("pages")).FullName;
        var page = Path.Combine(pages, "maint.html");
        await File.WriteAllTextAsync(page, "<p>first page</p>");
        await using var proxy = await StartProxyAsync(new()
        {
            ["Maintenance:PagePath"] = page,
            ["Maintenance:FilePollInterval"] = interval,
        });
        Assert.Equal(0, (await Scripts.DownAsync(proxy)).ExitCode);
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        Assert.Contains("first page", await PageAsync(client, proxy), StringComparison.Ordinal);

        Directory.Move(pages, Dir.File("pages-before"));
        Directory.CreateDirectory(pages);
        await File.WriteAllTextAsync(page, "<p>second page</p>");
        var seen = await Eventually.TrueAsync(async () => (await PageAsync(client, proxy)).Contains("second page", StringComparison.Ordinal),
            reloaded ? TimeSpan.FromSeconds(15) : SeveralDefaultIntervals, TimeSpan.FromMilliseconds(100));

        Assert.Equal(reloaded, seen);
    }

    private static async Task<string> PageAsync(HttpClient client, ProxyProcess proxy)
    {
        using var response = await client.GetAsync(proxy.PublicUrl + "/");
        return await response.Content.ReadAsStringAsync();
    }
}
