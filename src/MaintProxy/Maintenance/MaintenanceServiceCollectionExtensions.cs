using MaintProxy.Maintenance;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the maintenance switch.</summary>
public static class MaintenanceServiceCollectionExtensions
{
    public static IServiceCollection AddMaintenance(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<MaintenanceOptions>()
            .BindConfiguration(MaintenanceOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MaintenanceState>();
        services.TryAddSingleton<MaintenancePage>();
        services.AddHostedService<MaintenanceFileWatcher>();
        return services;
    }
}
