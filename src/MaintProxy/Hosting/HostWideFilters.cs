namespace MaintProxy.Hosting;

/// <summary>
/// Takes out the two filters the ASP.NET Core host puts in front of the whole pipeline:
/// <list type="bullet">
/// <item>host filtering (<c>AllowedHosts</c>): with a list of public names it would also refuse the
/// admin and demo listeners' <c>Host: 127.0.0.1:port</c>, and with it <c>up.sh</c> and <c>down.sh</c>.
/// Program adds it back for public requests, after those listeners' branches;</item>
/// <item>forwarded headers (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c>): it believes every
/// client's <c>X-Forwarded-For</c>, so anyone could pose as an address allowed through maintenance.
/// MaintProxy believes that header only from <c>Maintenance:TrustedProxies</c>.</item>
/// </list>
/// </summary>
internal static class HostWideFilters
{
    private const string HostFiltering = "Microsoft.AspNetCore.HostFilteringStartupFilter";
    private const string ForwardedHeaders = "Microsoft.AspNetCore.ForwardedHeadersStartupFilter";

    public static IServiceCollection WithoutHostWideFilters(this IServiceCollection services) =>
        services.RemoveDefault(typeof(IStartupFilter), HostFiltering)
            .RemoveDefault(typeof(IStartupFilter), ForwardedHeaders);
}
