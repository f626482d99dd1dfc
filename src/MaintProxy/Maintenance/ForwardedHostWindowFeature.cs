using MaintProxy.Proxy;

namespace MaintProxy.Maintenance;

/// <summary>
/// For the request log: the site whose window decided a request because its <c>X-Forwarded-Host</c> names
/// that site, while its <c>Host</c> and cluster do not. An operator reading a maintenance answer for
/// <c>Host: other.example</c> sees why. Set only when a window decides a request that way.
/// </summary>
internal sealed class ForwardedHostWindowFeature(string site)
{
    public string Site { get; } = site;

    /// <summary>Notes whether <paramref name="window"/>, which decided the request, covers it by its <c>X-Forwarded-Host</c> alone.</summary>
    public static void Note(HttpContext context, MaintenanceWindow? window, string authority)
    {
        var alone = window is { SiteHost: { } siteHost, Site: { } site }
            && !HostNames.OfRequest(authority).Equals(siteHost, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(site, EndpointCluster.IdOf(context.GetEndpoint()), StringComparison.Ordinal)
            && !string.Equals(site, SentPathFeature.OtherReadingClusterIdOf(context), StringComparison.Ordinal);
        if (alone)
        {
            context.Features.Set(new ForwardedHostWindowFeature(window!.Site!));
        }
        else if (context.Features.Get<ForwardedHostWindowFeature>() is not null)
        {
            context.Features.Set<ForwardedHostWindowFeature>(null); // noted by an earlier decision on a state since replaced
        }
    }

    public static string? SiteOf(HttpContext context) => context.Features.Get<ForwardedHostWindowFeature>()?.Site;
}
