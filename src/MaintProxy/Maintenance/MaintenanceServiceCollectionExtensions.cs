using MaintProxy.Hosting;
using MaintProxy.Maintenance;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the maintenance switch.</summary>
public static class MaintenanceServiceCollectionExtensions
{
    public static IServiceCollection AddMaintenance(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<MaintenanceOptions>()
            .BindConfiguration(MaintenanceOptions.SectionName, binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateAttributesNamingKeys(MaintenanceOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MaintenanceOptions>, MaintenanceOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MaintenanceState>();
        services.TryAddSingleton<MaintenancePage>();
        services.TryAddSingleton<MaintenancePolicy>();
        services.TryAddSingleton<MaintenanceCors>();
        services.TryAddSingleton<MaintenanceResponses>();
        services.TryAddSingleton<InFlightRequests>();
        services.TryAddSingleton<MaintenanceCounters>();
        services.TryAddSingleton<MaintenanceGate>();
        services.AddHostedService<MaintenanceFileWatcher>();
        return services;
    }
}
