using MaintProxy.Lifetime;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers graceful shutdown, socket activation and the overlap restart's listeners.</summary>
public static class LifetimeServiceCollectionExtensions
{
    /// <summary>
    /// The host's own shutdown timeout is a backstop only: it ends a stop that the hard stop at
    /// <see cref="LifetimeOptions.DrainTimeout"/> could not end (the hard stop closes the public listeners'
    /// connections, not those of the loopback admin and demo listeners).
    /// </summary>
    private static readonly TimeSpan HostShutdownGrace = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddLifetime(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<LifetimeOptions>().BindConfiguration(LifetimeOptions.SectionName, binder => binder.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LifetimeOptions>, LifetimeOptionsValidator>());
        services.AddOptions<HostOptions>().Configure<IOptions<LifetimeOptions>>((host, lifetime) =>
        {
            if (lifetime.Value.DrainTimeout > TimeSpan.Zero && lifetime.Value.DrainTimeout <= TimeSpan.FromDays(1))
            {
                host.ShutdownTimeout = lifetime.Value.DrainTimeout + HostShutdownGrace;
            }
        });

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ServedRequests>();
        services.TryAddSingleton<OpenConnections>();
        services.TryAddSingleton<ListeningSockets>();
        services.TryAddSingleton<SystemdNotifier>();
        services.TryAddSingleton<PidFile>();
        services.TryAddSingleton<Predecessors>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, ServedRequestsStartupFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, PublicListenersSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<SocketTransportOptions>, ReusePortSetup>());
        services.AddHostedService<GracefulShutdown>();
        return services;
    }
}
