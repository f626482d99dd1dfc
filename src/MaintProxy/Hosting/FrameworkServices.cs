namespace MaintProxy.Hosting;

/// <summary>Takes out a service the host registers by default, whose type is internal to ASP.NET Core.</summary>
internal static class FrameworkServices
{
    public static IServiceCollection RemoveDefault(this IServiceCollection services, Type serviceType, string implementationFullName)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == serviceType && services[i].ImplementationType?.FullName == implementationFullName)
            {
                services.RemoveAt(i);
            }
        }

        return services;
    }
}
