using System.Security.Cryptography.X509Certificates;
using MaintProxy.Listeners;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace MaintProxy.Lifetime;

/// <summary>
/// With socket activation the public listeners are the inherited sockets: Kestrel listens on them
/// and does not bind the addresses in <c>Kestrel:Endpoints</c>, since they would collide with the
/// sockets systemd holds. A socket named like an HTTPS endpoint (<c>FileDescriptorName=Secure</c> for
/// <c>Kestrel:Endpoints:Secure</c>) serves TLS with that endpoint's certificate; the others serve plain
/// HTTP. The admin and demo listeners are bound as usual.
/// </summary>
internal sealed class InheritedListenersSetup(IConfiguration configuration, IHostEnvironment environment, ILogger<InheritedListenersSetup> logger)
    : IConfigureOptions<KestrelServerOptions>
{
    private const string EndpointsSection = "Kestrel:Endpoints";

    public void Configure(KestrelServerOptions options)
    {
        var count = SystemdSockets.InheritedCount();
        if (count == 0)
        {
            return;
        }

        var https = configuration.GetSection(EndpointsSection).GetChildren()
            .Where(endpoint => endpoint["Url"]?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true)
            .ToDictionary(endpoint => endpoint.Key, StringComparer.OrdinalIgnoreCase);
        var served = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        options.Configure(new ConfigurationBuilder().Build(), reloadOnChange: false);
        options.UseSystemd(listen =>
        {
            if (SystemdSockets.NameOf(listen.FileHandle) is { } name && https.TryGetValue(name, out var endpoint))
            {
                var certificate = LoadCertificate(endpoint);
                listen.UseHttps(certificate);
                served.Add(name);
                LifetimeLog.InheritedHttps(logger, name, certificate.Subject, certificate.NotAfter.ToUniversalTime());
            }
        });

        foreach (var (name, endpoint) in https.Where(pair => !served.Contains(pair.Key)))
        {
            LifetimeLog.HttpsEndpointWithoutSocket(logger, name, endpoint["Url"]!);
        }

        LifetimeLog.InheritedSockets(logger, count);
    }

    // The endpoint's own certificate, else Kestrel's default one, as Kestrel itself would choose.
    private X509Certificate2 LoadCertificate(IConfigurationSection endpoint)
    {
        var own = endpoint.GetSection("Certificate");
        var section = own.Exists() ? own : configuration.GetSection("Kestrel:Certificates:Default");
        return CertificateFiles.Load(section.Exists() ? section : own, environment.ContentRootPath);
    }
}
