using System.Collections.Immutable;
using Microsoft.Extensions.Primitives;

namespace MaintProxy.Maintenance;

/// <summary>
/// The maintenance state as last read from the sentinel: immutable, replaced whole on change, so the
/// request path reads it with one memory read.
/// </summary>
internal sealed record MaintenanceSnapshot
{
    public static readonly MaintenanceSnapshot Up = new();

    private readonly ImmutableArray<MaintenanceWindow> _windows = [];

    public ImmutableArray<MaintenanceWindow> Windows
    {
        get => _windows;
        init
        {
            _windows = value;
            EveryoneWindow = value.FirstOrDefault(w => w.AppliesToEverySite);
            SiteWindows = value.Where(w => !w.AppliesToEverySite).ToImmutableArray();
            var siteHosts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < SiteWindows.Length; i++)
            {
                if (SiteWindows[i].SiteHost is { } siteHost)
                {
                    siteHosts.TryAdd(siteHost, i);
                }
            }

            SiteHostWindows = siteHosts.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    /// <summary>Counts applied changes since start; the scripts and the status page quote it.</summary>
    public long Generation { get; init; }

    /// <summary>SHA-256 of the sentinel's bytes (lower-case hex), or null when there is no sentinel.</summary>
    public string? SentinelSha256 { get; init; }

    /// <summary>When this state took effect.</summary>
    public DateTimeOffset Since { get; init; }

    /// <summary>Why the sentinel could not be read as written; the proxy is down with defaults then.</summary>
    public string? SentinelError { get; init; }

    public bool IsDown => !_windows.IsEmpty;

    private MaintenanceWindow? EveryoneWindow { get; init; }

    private ImmutableArray<MaintenanceWindow> SiteWindows { get; init; } = [];

    /// <summary>The index in <see cref="SiteWindows"/> of the first window for each host name.</summary>
    private Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> SiteHostWindows { get; init; }

    /// <summary>
    /// The window that applies to a request: a window for its host name or its cluster first, then a
    /// window for every site; null to forward it. <paramref name="authority"/> is the request's
    /// <c>Host</c> header as sent; <paramref name="otherReadingClusterId"/> the cluster the other reading of
    /// its path (as sent, or lenient) routes to when that is not the routed cluster (see <c>StrictReadingMiddleware</c>).
    /// <paramref name="forwardedHosts"/> is the request's <c>X-Forwarded-Host</c>: a window for a host it names
    /// covers the request too, as a backend behind a proxy takes its site from that header.
    /// </summary>
    public MaintenanceWindow? Match(string authority, Func<string?> clusterId, string? otherReadingClusterId = null, StringValues forwardedHosts = default)
    {
        if (!SiteWindows.IsEmpty)
        {
            var host = HostNames.OfRequest(authority);
            var cluster = clusterId();
            // Each entry read once, whatever the number of windows: a client may send thousands.
            var forwarded = forwardedHosts.Count == 0 ? -1 : HostNames.FirstWindowNamed(forwardedHosts, SiteHostWindows);
            for (var i = 0; i < SiteWindows.Length; i++)
            {
                var window = SiteWindows[i];
                if (i == forwarded
                    || (window.SiteHost is { } siteHost && host.Equals(siteHost, StringComparison.OrdinalIgnoreCase))
                    || string.Equals(window.Site, cluster, StringComparison.Ordinal)
                    || (otherReadingClusterId is not null && string.Equals(window.Site, otherReadingClusterId, StringComparison.Ordinal)))
                {
                    return window;
                }
            }
        }

        return EveryoneWindow;
    }
}
