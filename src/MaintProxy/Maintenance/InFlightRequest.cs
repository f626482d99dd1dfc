using MaintProxy.Proxy;
using Microsoft.Extensions.Primitives;

namespace MaintProxy.Maintenance;

/// <summary>A request on its way to a backend, as the drain sees it.</summary>
internal sealed class InFlightRequest(string authority, Endpoint? endpoint, MaintenanceOutcome? exception, Action? abortUpgrade = null,
    StreamingRequestBody? body = null, string? otherReadingClusterId = null, StringValues forwardedHosts = default)
{
    private int _aborted;
    private MaintenanceWindow? _closingWindow;

    /// <summary>The request's <c>Host</c> header as sent.</summary>
    public string Authority { get; } = authority;

    /// <summary>
    /// The request's <c>X-Forwarded-Host</c> as sent (a struct: nothing is allocated when there is none): a
    /// window for a host it names covers the request as it would have refused it. A drain of that site waits
    /// for it, and the switch closes it when it is an upgrade or a request stream.
    /// </summary>
    public StringValues ForwardedHosts { get; } = forwardedHosts;

    /// <summary>An upgrade (a WebSocket): it stays open for as long as the client likes.</summary>
    public bool IsUpgrade => abortUpgrade is not null;

    /// <summary>Looked up only when someone asks (the status surface, a drain), not per request.</summary>
    public string? ClusterId => EndpointCluster.IdOf(endpoint);

    /// <summary>The cluster the path routes to as sent, when routing took its lenient reading to another; else null.</summary>
    public string? OtherReadingClusterId { get; } = otherReadingClusterId;

    /// <summary>Let through by a maintenance exception (bypass, allowed path, read-only): not drained.</summary>
    public bool Exempt => exception is not null;

    /// <summary>
    /// Closes an upgraded connection that a window covers, once: read-only windows too, since what it
    /// carries may be writes. One let in by a bypass or an allowed path stays, whatever the window.
    /// </summary>
    public bool TryAbortUpgrade(MaintenanceWindow window)
    {
        if (abortUpgrade is null || exception is MaintenanceOutcome.Bypassed or MaintenanceOutcome.AllowedPath
            || Interlocked.Exchange(ref _aborted, 1) == 1)
        {
            return false;
        }

        Volatile.Write(ref _closingWindow, window);
        abortUpgrade();
        return true;
    }

    /// <summary>
    /// Closes an upgraded connection whatever let it in, once: the process is stopping, and the
    /// connection would hold its drain until the drain timeout cuts it off anyway.
    /// </summary>
    public bool TryAbortUpgradeForStop()
    {
        if (abortUpgrade is null || Interlocked.Exchange(ref _aborted, 1) == 1)
        {
            return false;
        }

        abortUpgrade();
        return true;
    }

    /// <summary>Whether the switch closed this request: an upgrade, or a request whose body was still streaming.</summary>
    public bool ClosedBySwitch => ClosingWindow is not null && (IsUpgrade || body?.WasClosed == true);

    /// <summary>
    /// The window that closed this request at the switch (written before the close, read on the request's
    /// own path after it), for its log line to say why as a request that window refused would.
    /// </summary>
    public MaintenanceWindow? ClosingWindow => Volatile.Read(ref _closingWindow);

    /// <summary>
    /// Closes a request whose body is still streaming to the backend, once; one let through by a
    /// maintenance exception stays. A request whose body has ended goes on (its response may be long).
    /// </summary>
    public bool TryCloseStreamingBody(MaintenanceWindow window)
    {
        if (body is null || exception is not null || body.WasClosed)
        {
            return false;
        }

        Volatile.Write(ref _closingWindow, window);
        return body.TryClose();
    }

    /// <summary>Whether the request goes to this site: its cluster id, or its host name as <see cref="HostNames.Canonical"/> gives it.</summary>
    public bool IsFor(string site, string? siteHost) =>
        string.Equals(ClusterId, site, StringComparison.Ordinal)
        || string.Equals(OtherReadingClusterId, site, StringComparison.Ordinal)
        || (siteHost is not null && (HostNames.OfRequest(Authority).Equals(siteHost, StringComparison.OrdinalIgnoreCase)
            || HostNames.AreAmong(siteHost, ForwardedHosts)));
}
