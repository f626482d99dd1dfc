using MaintProxy.Proxy;
using MaintProxy.RequestLogging;
using Serilog;
using Serilog.Events;
using Serilog.Settings.Configuration;

namespace MaintProxy.Hosting;

/// <summary>
/// Start-up and per-request work that a front proxy does not need: each step here was measured
/// with tests/bench/run.sh (see the Benchmarks section of the README).
/// </summary>
internal static class LeanHostingExtensions
{
    // The hosting layer opens a log scope and an Activity for every request as soon as its category
    // is enabled at any level; MaintProxy writes its own request line, so the scope is pure cost.
    private const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    // Registered by YARP's session affinity; it loads (or creates) the key ring at start-up. Without
    // it the key ring is loaded on first use, i.e. only by a cluster that uses affinity cookies.
    private const string EagerKeyRingServiceName = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";

    /// <summary>
    /// Serilog from the <c>Serilog</c> section, with its sinks looked up in the assemblies MaintProxy
    /// ships instead of by scanning every dependency at start-up.
    /// </summary>
    public static Serilog.ILogger CreateSerilogLogger(IConfiguration configuration)
    {
        SerilogProblems.ThrowOnUnknownLevels(configuration);
        var clientSideErrors = new ClientSideForwardingErrorFilter();
        var logger = SerilogProblems.CreateOrThrow(() => new LoggerConfiguration()
            .ReadFrom.Configuration(configuration, new ConfigurationReaderOptions(
                typeof(ConsoleLoggerConfigurationExtensions).Assembly,
                typeof(FileLoggerConfigurationExtensions).Assembly))
            .Filter.With(clientSideErrors)
            .Filter.With(new StartupFailureLogFilter())
            .Filter.With(new ConfigurationConversionLogFilter(configuration.GetSection("ReverseProxy")))
            .Filter.With(new KeptConsoleLines()) // last: it sees only the events that are written
            .CreateLogger());
        clientSideErrors.KeepClientSideErrors = logger
            .ForContext(Serilog.Core.Constants.SourceContextPropertyName, ClientSideForwardingErrorFilter.HttpForwarderCategory)
            .IsEnabled(LogEventLevel.Debug);
        return logger;
    }

    public static ILoggingBuilder WithoutPerRequestHostingScope(this ILoggingBuilder logging) =>
        logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);

    /// <summary>Lazy where start-up work is not needed, eager where the first switch would wait for it.</summary>
    public static IServiceCollection WithLeanStartup(this IServiceCollection services)
    {
        services.AddHostedService<AdminWarmup>();
        return services.WithoutEagerKeyRing();
    }

    private static IServiceCollection WithoutEagerKeyRing(this IServiceCollection services) =>
        services.RemoveDefault(typeof(IHostedService), EagerKeyRingServiceName);
}
