using MaintProxy.Admin;
using MaintProxy.Demo;
using MaintProxy.Hosting;
using MaintProxy.Listeners;
using MaintProxy.Proxy;
using MaintProxy.RequestLogging;
using MaintProxy.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The one place that composes MaintProxy's services.</summary>
public static class MaintProxyServiceCollectionExtensions
{
    public static IServiceCollection AddMaintProxy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddMaintenance();
        services.AddLifetime();

        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName, binder => binder.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>());
        services.AddOptions<DemoBackendOptions>().BindConfiguration(DemoBackendOptions.SectionName, binder => binder.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DemoBackendOptions>, DemoBackendOptionsValidator>());
        // Before the admin and demo listeners are added: Kestrel applies endpoint defaults to a listener when it is added.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, KestrelRefusalSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, LoopbackListenersSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, KestrelLimitsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, HeaderBytesKestrelSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, KestrelRefusalLoggerProvider>());
        services.AddOptions<TransportOptions>().BindConfiguration(TransportOptions.SectionName, binder => binder.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TransportOptions>, TransportOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<SocketTransportOptions>, InlineSchedulingSetup>());
        services.AddOptions<ConsoleLogOptions>().BindConfiguration(ConsoleLogOptions.SectionName, binder => binder.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsoleLogOptions>, ConsoleLogOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.Replace(ServiceDescriptor.Singleton<IConnectionListenerFactory, PacedSocketTransportFactory>());

        services.AddOptions<HttpBackendsOptions>()
            .BindConfiguration(HttpBackendsOptions.SectionName, binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateAttributesNamingKeys(HttpBackendsOptions.SectionName)
            .ValidateOnStart();
        services.AddReverseProxy()
            .LoadFromConfig(configuration.GetSection("ReverseProxy"))
            .AddConfigFilter<UnsupportedPolicyConfigFilter>()
            .AddConfigFilter<RouteWithoutClusterConfigFilter>()
            .AddConfigFilter<ClusterRequestSettingsConfigFilter>()
            .AddConfigFilter<ClusterClientSettingsKeysConfigFilter>()
            .AddConfigFilter<RouteSettingsKeysConfigFilter>()
            .AddConfigFilter<ClientCertificateConfigFilter>()
            .AddConfigFilter<TrailingDotHostsConfigFilter>()
            .AddTransforms<ProxyOwnedHeadersTransformProvider>()
            .AddTransforms<BackendStatusTransformProvider>()
            .AddTransforms<ForwardedHeadersTransformProvider>()
            .AddTransforms<RawTargetTransformProvider>()
            .AddTransforms<SingleRequestConnectionTransformProvider>();
        CheckValuesBeforeYarpReadsThem(services, configuration.GetSection("ReverseProxy"));
        services.AddFastCgiTransport();
        services.AddHostedService<StartOnlySettings>();
        return services;
    }

    private static void CheckValuesBeforeYarpReadsThem(IServiceCollection services, IConfiguration reverseProxy)
    {
        var reader = services.Last(d => d.ServiceType == typeof(IProxyConfigProvider));
        services.Remove(reader);
        services.AddSingleton<IProxyConfigProvider>(provider => new ValueCheckingConfigProvider(
            (IProxyConfigProvider)(reader.ImplementationInstance
                ?? reader.ImplementationFactory?.Invoke(provider)
                ?? ActivatorUtilities.CreateInstance(provider, reader.ImplementationType!)),
            reverseProxy,
            provider.GetRequiredService<ILogger<ValueCheckingConfigProvider>>()));
    }
}
