using System.Collections.Concurrent;

namespace MaintProxy.Maintenance;

/// <summary>
/// The requests forwarded and not yet finished. A request is added before the switch's state is read
/// a second time, so a drain that starts after the switch was applied sees every request that could
/// still reach the backend.
/// </summary>
internal sealed class InFlightRequests
{
    private readonly ConcurrentDictionary<InFlightRequest, byte> _requests = new(ReferenceEqualityComparer.Instance);

    public void Add(InFlightRequest request) => _requests.TryAdd(request, 0);

    public void Remove(InFlightRequest request) => _requests.TryRemove(request, out _);

    /// <summary>Requests a drain of these sites waits for (every site when none is named).</summary>
    public int CountDraining(IReadOnlyCollection<string> sites) =>
        _requests.Keys.Count(r => !r.Exempt && (sites.Count == 0 || sites.Any(r.IsFor)));

    public IReadOnlyDictionary<string, int> CountByCluster() =>
        _requests.Keys.GroupBy(r => r.ClusterId ?? "(none)").ToDictionary(g => g.Key, g => g.Count());
}
