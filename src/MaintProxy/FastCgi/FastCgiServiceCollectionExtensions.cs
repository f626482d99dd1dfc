using MaintProxy.FastCgi;
using MaintProxy.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the FastCGI transport for YARP clusters.</summary>
public static class FastCgiServiceCollectionExtensions
{
    /// <summary>
    /// Lets clusters with <c>"Transport": "FastCGI"</c> in their metadata reach FastCGI servers
    /// (php-fpm and others); other clusters keep YARP's HTTP client. Call it after <c>AddReverseProxy()</c>.
    /// </summary>
    public static IServiceCollection AddFastCgiTransport(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var probing = services.LastOrDefault(d => d.ServiceType == typeof(IProbingRequestFactory))
            ?? throw new InvalidOperationException("AddFastCgiTransport() wraps YARP's services: call AddReverseProxy() first.");
        services.Remove(probing);
        services.AddSingleton<IProbingRequestFactory>(provider => new FastCgiProbingRequestFactory(Create(provider, probing)));
        services.AddOptions<FastCgiOptions>()
            .BindConfiguration(FastCgiOptions.SectionName, binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateAttributesNamingKeys(FastCgiOptions.SectionName)
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.Replace(ServiceDescriptor.Singleton<IForwarderHttpClientFactory, FastCgiForwarderHttpClientFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProxyConfigFilter, FastCgiConfigFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITransformProvider, FastCgiTransformProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterChangeListener, FastCgiClusterChanges>());
        return services;
    }

    private static IProbingRequestFactory Create(IServiceProvider provider, ServiceDescriptor descriptor) =>
        (IProbingRequestFactory)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));
}
