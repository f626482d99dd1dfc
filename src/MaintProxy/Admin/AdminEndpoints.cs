using MaintProxy.Listeners;
using MaintProxy.Maintenance;
using Microsoft.Extensions.Options;

namespace MaintProxy.Admin;

/// <summary>
/// The status surface, on its own loopback listener. It reads state and can make the proxy re-read
/// its files now; it cannot set a mode: the sentinel file is the only switch.
/// </summary>
internal static class AdminEndpoints
{
    public static IApplicationBuilder MapAdminSurface(this IApplicationBuilder app)
    {
        var endPoint = LoopbackEndpoint.Parse(app.ApplicationServices.GetRequiredService<IOptions<AdminOptions>>().Value.Url);
        return app.MapWhen(context => LoopbackEndpoint.IsConnectionTo(context, endPoint), admin =>
        {
            admin.UseRouting();
            admin.UseEndpoints(endpoints =>
            {
                endpoints.MapGet("/status", (MaintenanceState state, MaintenancePage page) =>
                    TypedResults.Ok(StatusReport.From(state.Current, state, page)));

                // The scripts' barrier: returns only once the sentinel as it is now has been applied.
                endpoints.MapPost("/refresh", (MaintenanceState state, MaintenancePage page) =>
                {
                    page.Reload(force: true);
                    return TypedResults.Ok(StatusReport.From(state.Refresh(force: true), state, page));
                });
            });
        });
    }
}
