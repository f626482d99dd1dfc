using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Hosting;

/// <summary>
/// A start that fails for a reason the operator can fix ends with one line saying what to fix, exit 1,
/// and no stack trace before it, wherever in the start the failure happens.
/// </summary>
public sealed class StartupFailureEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task SecondProxyOnTheSamePorts_ExitsWithOneLineSayingWhatToDo()
    {
        await using var first = await StartProxyAsync();

        var output = await ProxyProcess.StartRefusedAsync(Path.Combine(Dir.Path, "second"), Backend.Url, new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Public:Url"] = first.PublicUrl,
            ["Admin:Url"] = first.AdminUrl,
        });

        Assert.Contains("MaintProxy cannot start: Failed to bind to address", output, StringComparison.Ordinal);
        Assert.Contains("is MaintProxy already running?", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
        Assert.Equal("up", (await first.StatusAsync()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task SettingValidatedAsTheHostStarts_IsOneLineWithoutStackTrace()
    {
        var output = await ProxyProcess.StartRefusedAsync(Dir.Path, Backend.Url, new Dictionary<string, string>
        {
            ["FastCgi:ConnectTimeout"] = "00:00:00",
        });

        Assert.Contains("MaintProxy cannot start: DataAnnotation validation failed for 'FastCgiOptions' members: 'ConnectTimeout'", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    private static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("Hosting failed to start", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
