using MaintProxy.Admin;
using MaintProxy.Listeners;
using Microsoft.Extensions.Options;

namespace MaintProxy.Hosting;

/// <summary>
/// Asks the admin surface for its status once, right after start-up, so that the first
/// <c>down.sh</c> after a deploy does not pay for building the admin endpoints and the JSON
/// serializer (about 50 ms here). Read-only: it changes no state.
/// </summary>
internal sealed class AdminWarmup(
    IHostApplicationLifetime lifetime,
    IOptions<AdminOptions> admin,
    ILogger<AdminWarmup> logger) : IHostedService
{
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
        try
        {
            var endPoint = LoopbackEndpoint.Parse(admin.Value.Url);
            using var client = new HttpClient { Timeout = Timeout };
            using var response = await client.GetAsync(new Uri($"http://{endPoint}/status"), stopping).ConfigureAwait(false);
            HostingLog.AdminWarmedUp(logger, (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            HostingLog.AdminWarmupFailed(logger, ex.Message);
        }
    }
}
