using MaintProxy.Maintenance;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the maintenance switch to the request pipeline.</summary>
public static class MaintenanceApplicationBuilderExtensions
{
    public static IApplicationBuilder UseMaintenance(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService(typeof(MaintenanceState)) is not MaintenanceState state)
        {
            throw new InvalidOperationException("UseMaintenance needs the services of AddMaintenance: call builder.Services.AddMaintenance() first.");
        }

        // Read the sentinel now, before the server listens: no request is forwarded by a proxy
        // that was started in maintenance.
        _ = state.Current;
        return app.UseMiddleware<MaintenanceMiddleware>();
    }
}
