using MaintProxy.Listeners;
using Microsoft.AspNetCore.Server.Kestrel;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace MaintProxy.Lifetime;

/// <summary>
/// Where the public listeners come from, read once at start. Normally the <c>Kestrel:Endpoints</c>
/// section, without the reload ASP.NET Core would give it: Kestrel applies a change to that section, or
/// to a certificate file it names, by unbinding the endpoint, which refuses new connections and then
/// cuts the ones in flight. Changes take effect at the next (zero-refusal) restart instead.
/// With socket activation the public listeners are the inherited sockets, and the addresses in that
/// section are not bound (they would collide with the sockets systemd holds). A socket named like an
/// HTTPS endpoint (<c>FileDescriptorName=Secure</c> for <c>Kestrel:Endpoints:Secure</c>) serves TLS with
/// that endpoint's certificate; the others serve plain HTTP. Each speaks the <c>Protocols</c> of the endpoint
/// it is named for (else of <c>Kestrel:EndpointDefaults</c>). The admin and demo listeners are bound as usual.
/// Each public listener's connections are kept in <see cref="OpenConnections"/>, from before their TLS handshake;
/// after it, an HTTP/2 one (ALPN h2) is read through an input the drain can wake.
/// </summary>
internal sealed class PublicListenersSetup(IConfiguration configuration, IHostEnvironment environment, OpenConnections connections,
    ILogger<PublicListenersSetup> logger)
    : IConfigureOptions<KestrelServerOptions>
{
    private const string KestrelSection = "Kestrel";
    private const string EndpointsSection = KestrelSection + ":Endpoints";

    public void Configure(KestrelServerOptions options)
    {
        var count = SystemdSockets.InheritedCount();
        var https = configuration.GetSection(EndpointsSection).GetChildren()
            .Where(endpoint => endpoint["Url"]?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true)
            .ToDictionary(endpoint => endpoint.Key, StringComparer.OrdinalIgnoreCase);
        if (count == 0)
        {
            PublicEndpointUrls.ThrowIfInvalid(configuration.GetSection(EndpointsSection));
            EndpointProtocols.ThrowIfInvalid(configuration.GetSection(KestrelSection));
            ThrowIfCertificateFilesUnusable(https.Values);
            var loader = options.Configure(configuration.GetSection(KestrelSection), reloadOnChange: false);
            foreach (var endpoint in configuration.GetSection(EndpointsSection).GetChildren())
            {
                // Called before Kestrel adds TLS to the endpoint: the handshake is inside the tracking.
                loader.Endpoint(endpoint.Key, configured =>
                {
                    TrackConnections(configured.ListenOptions, configured.IsHttps);
                    if (configured.IsHttps)
                    {
                        UseHttpsAsKestrelWould(configured);
                    }
                });
            }

            return;
        }

        EndpointProtocols.ThrowIfInvalid(configuration.GetSection(KestrelSection));
        var served = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        options.Configure(new ConfigurationBuilder().Build(), reloadOnChange: false);
        options.UseSystemd(listen =>
        {
            var name = SystemdSockets.NameOf(listen.FileHandle);
            var endpoint = name is null ? null : https.GetValueOrDefault(name);
            listen.Protocols = EndpointProtocols.OfInheritedSocket(configuration.GetSection(KestrelSection), name);
            TrackConnections(listen, secure: endpoint is not null);
            if (name is not null && endpoint is not null)
            {
                var section = CertificateSectionOf(endpoint);
                var certificate = CertificateFiles.Load(section, environment.ContentRootPath);
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    ServerCertificateChain = CertificateFiles.LoadIntermediates(section, environment.ContentRootPath, certificate),
                });
                WakeHttp2OverTls(listen);
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

    // Kestrel speaks HTTP/2 without TLS only on a listener that takes nothing else (prior knowledge).
    private void TrackConnections(ListenOptions listen, bool secure) =>
        listen.Use(next => connection => connections.TrackAsync(connection, next, cleartextHttp2: !secure && listen.Protocols == HttpProtocols.Http2));

    // What Kestrel does itself after this callback for an endpoint without an Sni section, done here so that a
    // middleware can follow TLS: Kestrel then sees the endpoint's TLS in place and adds none. With an Sni
    // section (or no certificate, which Kestrel refuses) TLS is left to Kestrel, and nothing follows it.
    private void UseHttpsAsKestrelWould(EndpointConfiguration configured)
    {
        var https = configured.HttpsOptions;
        if (configured.ConfigSection.GetSection("Sni").GetChildren().Any()
            || (https.ServerCertificate is null && https.ServerCertificateSelector is null))
        {
            return;
        }

        SendPkcs12Intermediates(configured.ConfigSection, https);
        configured.ListenOptions.UseHttps(https);
        WakeHttp2OverTls(configured.ListenOptions);
    }

    // Kestrel sends the intermediates that follow the certificate in a PEM file, but none of those a .pfx holds.
    private void SendPkcs12Intermediates(IConfigurationSection endpoint, HttpsConnectionAdapterOptions https)
    {
        var section = CertificateSectionOf(endpoint);
        if (https is { ServerCertificate: { } certificate, ServerCertificateChain: null or { Count: 0 } }
            && !string.IsNullOrWhiteSpace(section["Path"]) && string.IsNullOrWhiteSpace(section["KeyPath"]))
        {
            https.ServerCertificateChain = CertificateFiles.LoadIntermediates(section, environment.ContentRootPath, certificate);
        }
    }

    // Placed after TLS: an HTTP/2 connection is read through an input the drain can wake (see OpenConnections).
    private static void WakeHttp2OverTls(ListenOptions listen) =>
        listen.Use(next => connection => OpenConnections.WakeHttp2OverTlsAsync(connection, next));

    // Kestrel reads the files as it binds the endpoint, and a wrong .pfx password or a key file that
    // holds no key then ends the process with a stack trace (exit 134). Read here first, the start
    // stops with one line naming the key. Certificates from a store (Subject, Store) are Kestrel's alone.
    private void ThrowIfCertificateFilesUnusable(IEnumerable<IConfigurationSection> httpsEndpoints)
    {
        foreach (var endpoint in httpsEndpoints)
        {
            var certificate = CertificateSectionOf(endpoint);
            if (!string.IsNullOrWhiteSpace(certificate["Path"]))
            {
                using var loaded = CertificateFiles.Load(certificate, environment.ContentRootPath);
            }
        }
    }

    // The endpoint's own certificate, else Kestrel's default one, as Kestrel itself would choose; when
    // there is neither, the error names the endpoint's key.
    private IConfigurationSection CertificateSectionOf(IConfigurationSection endpoint)
    {
        var own = endpoint.GetSection("Certificate");
        var fallback = configuration.GetSection(KestrelSection + ":Certificates:Default");
        return !own.Exists() && fallback.Exists() ? fallback : own;
    }
}
