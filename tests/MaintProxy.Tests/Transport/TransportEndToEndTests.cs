using System.Net;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Transport;

/// <summary>The event-loop settings as the running proxy process applies them.</summary>
public sealed class TransportEndToEndTests : EndToEndTest
{
    // The name .NET gives its socket event-loop threads (as /proc shows a thread's name).
    private const string EventLoopThreadName = ".NET Sockets";

    [Theory]
    [InlineData("0")]
    [InlineData("3")]
    public async Task EventLoopThreads_IsTheNumberOfSocketEventThreads(string configured)
    {
        await using var proxy = await StartProxyAsync(new() { ["Transport:EventLoopThreads"] = configured });
        using var client = new HttpClient();

        using var response = await client.GetAsync($"{proxy.PublicUrl}/hello");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = configured == "0" ? Environment.ProcessorCount : int.Parse(configured, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, ThreadNames(proxy.Pid).Count(name => name == EventLoopThreadName));
    }

    [Fact]
    public async Task EventLoopThreads_TheRuntimesOwnVariable_WinsWhenSet()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["Transport:EventLoopThreads"] = "3" },
            new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT"] = "2" });
        using var client = new HttpClient();

        using var response = await client.GetAsync($"{proxy.PublicUrl}/hello");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, ThreadNames(proxy.Pid).Count(name => name == EventLoopThreadName));
    }

    [Theory]
    [InlineData("false")]
    [InlineData("true")]
    public async Task InlineScheduling_EitherWay_ForwardsAndAnswersMaintenance(string inline)
    {
        await using var proxy = await StartProxyAsync(new() { ["Transport:InlineScheduling"] = inline });
        using var client = new HttpClient();

        using (var forwarded = await client.GetAsync($"{proxy.PublicUrl}/hello"))
        {
            Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        }

        var down = await Scripts.DownAsync(proxy);
        Assert.Equal(0, down.ExitCode);
        using var refused = await client.GetAsync($"{proxy.PublicUrl}/hello");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.Contains("X-Maintenance-Mode"));
        Assert.Single(Backend.Requests, r => r.Path == "/hello");
    }

    [Fact]
    public async Task EventLoopThreads_Negative_ExitsOneWithAPlainMessage()
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string> { ["Transport:EventLoopThreads"] = "-1" });

        Assert.Contains("MaintProxy cannot start: Transport:EventLoopThreads must be 0", output, StringComparison.Ordinal);
    }

    private static List<string> ThreadNames(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task")
            .Select(ThreadNameOrEmpty)
            .ToList();

    // Thread-pool threads come and go: a thread listed a moment ago may have ended.
    private static string ThreadNameOrEmpty(string task)
    {
        try
        {
            return File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return "";
        }
    }
}
