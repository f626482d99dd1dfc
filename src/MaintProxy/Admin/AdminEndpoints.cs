using MaintProxy.Lifetime;
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
    private const string ForeignHostMessage = "The admin surface answers requests addressed to 127.0.0.1, [::1] or localhost only.";

    public static IApplicationBuilder MapAdminSurface(this IApplicationBuilder app)
    {
        var endPoint = LoopbackEndpoint.Parse(app.ApplicationServices.GetRequiredService<IOptions<AdminOptions>>().Value.Url);
        return app.MapWhen(context => LoopbackEndpoint.IsConnectionTo(context, endPoint), admin =>
        {
            admin.Use((context, next) => LoopbackEndpoint.IsAddressedToLoopback(context.Request.Host)
                ? next(context)
                : Results.Text(ForeignHostMessage + "\n", statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context));
            admin.UseRouting();
            admin.UseEndpoints(endpoints =>
            {
                endpoints.MapGet("/status", (HttpContext context, MaintenanceState state, MaintenancePage page, MaintenanceCounters counters, InFlightRequests inFlight) =>
                {
                    var status = StatusReport.From(state.Current, state, page, counters, inFlight);
                    return context.Request.Query["format"] == "text"
                        ? Results.Text(StatusText.Render(status))
                        : Results.Ok(status);
                });

                // The scripts' barrier: answers only once the sentinel as it is now has been applied.
                endpoints.MapPost("/refresh", (MaintenanceState state, MaintenancePage page, MaintenanceCounters counters, InFlightRequests inFlight) =>
                {
                    page.Reload(force: true);
                    return TypedResults.Ok(StatusReport.From(state.Refresh(force: true), state, page, counters, inFlight));
                });

                // The drain: forwarded requests of these sites (all when none is named) not yet finished,
                // and a process an overlap restart replaced that may still be finishing its own.
                endpoints.MapGet("/in-flight", (HttpContext context, InFlightRequests inFlight, Predecessors predecessors) =>
                    TypedResults.Ok(new InFlightReport(
                        inFlight.CountDraining(context.Request.Query["site"].OfType<string>().ToArray()),
                        predecessors.FirstRunning())));
            });
        });
    }
}
