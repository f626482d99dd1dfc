using System.Reflection;
using System.Text.Json.Serialization;
using MaintProxy.Hosting;
using MaintProxy.Maintenance;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Hosting;

/// <summary>
/// The start-up warm-up rehearses the first switch on a window of its own: that window must use every
/// option a sentinel can set (or the first down.sh builds the rest), and must never be applied.
/// </summary>
public sealed class AdminWarmupTests : EndToEndTest
{
    [Fact]
    public void RehearsalSentinel_IsOneValidWindowSettingEveryKeyASentinelCanHave()
    {
        var snapshot = MaintenanceSnapshot.Of(AdminWarmup.RehearsalSentinel);

        Assert.Null(snapshot.SentinelError);
        var window = Assert.Single(snapshot.Windows);
        var keys = typeof(MaintenanceWindow).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.CanWrite && property.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.False(Equals(key.GetValue(window), key.GetValue(MaintenanceWindow.Everything)), $"{key.Name} is not set"));
    }

    [Fact]
    public async Task Start_WarmUpDone_StateIsStillUpAndRequestsAreForwarded()
    {
        await using var proxy = await StartProxyAsync(new() { ["Serilog:MinimumLevel:Override:MaintProxy.Hosting"] = "Debug" });

        Assert.True(await proxy.WaitForOutputAsync("Admin surface warmed up (status 200)", TimeSpan.FromSeconds(10)), proxy.Output);
        var status = await proxy.StatusAsync();
        Assert.Equal("up", status.GetProperty("state").GetString());
        Assert.Equal(0, status.GetProperty("windows").GetArrayLength());
        Assert.DoesNotContain("warm-up.invalid", proxy.Output, StringComparison.Ordinal);
        using var client = new HttpClient();
        using var response = await client.GetAsync(proxy.PublicUrl + "/");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
