using System.Text.Json;
using MaintProxy.Admin;
using MaintProxy.Listeners;
using MaintProxy.Maintenance;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace MaintProxy.Hosting;

/// <summary>
/// Does the first <c>down.sh</c>'s one-time work right after start-up, so that the first switch
/// after a deploy does not pay for it (compiling code and building the JSON serializer's metadata:
/// about 30 ms here): asks the admin surface for its status in both formats, and reads, describes
/// and reports a window with every option that is never applied. It changes no state.
/// </summary>
internal sealed class AdminWarmup(
    IHostApplicationLifetime lifetime,
    IOptions<AdminOptions> admin,
    IOptions<HttpJsonOptions> json,
    MaintenanceState state,
    MaintenancePage page,
    MaintenanceCounters counters,
    InFlightRequests inFlight,
    ILogger<AdminWarmup> logger) : IHostedService
{
    /// <summary>A sentinel line with every key a window can have: each key's reader is built here.</summary>
    internal static readonly byte[] RehearsalSentinel =
        """{"id":"warm-up","site":"warm-up.invalid","since":"2026-01-01T00:00:00Z","reason":"warm-up","retryAfterSeconds":60,"until":"2026-01-01T01:00:00Z","readOnly":true,"allow":["127.0.0.1/32","::1"],"secretSha256":"0000000000000000000000000000000000000000000000000000000000000000"}"""u8.ToArray();

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Only a real listener can be warmed (not the in-memory server of in-process tests).
        if (RuntimeTuning.IsMaintProxyTheProcess)
        {
            lifetime.ApplicationStarted.Register(() => _ = WarmAsync(lifetime.ApplicationStopping));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task WarmAsync(CancellationToken stopping)
    {
        int statusCode;
        try
        {
            var endPoint = LoopbackEndpoint.Parse(admin.Value.Url);
            using var client = new HttpClient { Timeout = Timeout };
            using var response = await client.GetAsync(new Uri($"http://{endPoint}/status"), stopping).ConfigureAwait(false);
            using var text = await client.GetAsync(new Uri($"http://{endPoint}/status?format=text"), stopping).ConfigureAwait(false);
            statusCode = (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            HostingLog.AdminWarmupFailed(logger, ex.Message);
            return;
        }

        // What POST /refresh does with a new sentinel, on a state that only this method sees.
        var rehearsal = MaintenanceSnapshot.Of(RehearsalSentinel);
        _ = WindowSummary.Describe(rehearsal.Windows);
        _ = JsonSerializer.SerializeToUtf8Bytes(StatusReport.From(rehearsal, state, page, counters, inFlight), json.Value.SerializerOptions);
        HostingLog.AdminWarmedUp(logger, statusCode);
    }
}
