using System.Collections.Concurrent;

namespace MaintProxy.Maintenance;

/// <summary>
/// The requests forwarded and not yet finished. A request is added before the switch's state is read
/// a second time, so a drain that starts after the switch was applied sees every request that could
/// still reach the backend. Upgraded connections (WebSockets) never finish by themselves: a window
/// that covers their site closes them as it is applied, before the scripts are told it is, and a
/// drain closes them all.
/// </summary>
internal sealed class InFlightRequests
{
    private readonly ConcurrentDictionary<InFlightRequest, byte> _requests = new(ReferenceEqualityComparer.Instance);
    private readonly MaintenanceState _state;
    private readonly ILogger<InFlightRequests> _logger;

    public InFlightRequests(MaintenanceState state, ILogger<InFlightRequests> logger)
    {
        _state = state;
        _logger = logger;
        state.Applied += CloseUpgradesCoveredBy;
    }

    public void Add(InFlightRequest request) => _requests.TryAdd(request, 0);

    public void Remove(InFlightRequest request) => _requests.TryRemove(request, out _);

    /// <summary>Requests a drain of these sites waits for (every site when none is named).</summary>
    public int CountDraining(IReadOnlyCollection<string> sites)
    {
        var named = sites.Select(site => (Site: site, Host: HostNames.Canonical(site))).ToList();
        return _requests.Keys.Count(r => !r.Exempt && (named.Count == 0 || named.Exists(n => r.IsFor(n.Site, n.Host))));
    }

    /// <summary>
    /// Closes the WebSockets and other upgraded connections that the snapshot puts in maintenance, and
    /// the requests whose body is still streaming to a backend it covers.
    /// </summary>
    private void CloseUpgradesCoveredBy(MaintenanceSnapshot snapshot)
    {
        // A state applied an instant later (an up.sh right after a down.sh) has the last word.
        if (!snapshot.IsDown || !ReferenceEquals(snapshot, _state.Current))
        {
            return;
        }

        int closed = 0, streams = 0;
        foreach (var request in _requests.Keys)
        {
            if (snapshot.Match(request.Authority, () => request.ClusterId, request.OtherReadingClusterId, request.ForwardedHosts) is not { } window)
            {
                continue;
            }

            if (request.IsUpgrade && request.TryAbortUpgrade(window))
            {
                closed++;
            }
            else if (request.TryCloseStreamingBody(window))
            {
                streams++;
            }
        }

        if (closed > 0)
        {
            MaintenanceLog.UpgradesClosed(_logger, snapshot.Generation, closed);
        }

        if (streams > 0)
        {
            MaintenanceLog.RequestStreamsClosed(_logger, snapshot.Generation, streams);
        }
    }

    /// <summary>Closes every upgraded connection (WebSocket), those let in by a maintenance exception too; returns how many.</summary>
    public int CloseAllUpgrades()
    {
        var closed = 0;
        foreach (var request in _requests.Keys)
        {
            if (request.TryAbortUpgradeForStop())
            {
                closed++;
            }
        }

        return closed;
    }

    public IReadOnlyDictionary<string, int> CountByCluster() =>
        _requests.Keys.GroupBy(r => r.ClusterId ?? "(none)").ToDictionary(g => g.Key, g => g.Count());
}
