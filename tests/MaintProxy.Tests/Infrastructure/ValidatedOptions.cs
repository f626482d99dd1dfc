using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// An options class as MaintProxy's own registration binds and validates it from the given settings,
/// without starting a host: a test host that fails its start can lose the validation error to a race
/// inside <c>WebApplicationFactory</c> (its deferred host reads the services the failed start disposed).
/// </summary>
internal static class ValidatedOptions
{
    public static TOptions Of<TOptions>(IReadOnlyDictionary<string, string> settings) where TOptions : class
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddMaintProxy(configuration)
            .BuildServiceProvider();
        return services.GetRequiredService<IOptions<TOptions>>().Value;
    }
}
