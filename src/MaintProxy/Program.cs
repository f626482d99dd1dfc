using MaintProxy.Admin;
using MaintProxy.Demo;
using MaintProxy.Hosting;
using MaintProxy.Proxy;
using MaintProxy.RequestLogging;
using Serilog;

try
{
    // Settings live beside the binary; relative paths in them (maint/down, maint/maint.html) start at
    // the working directory, which `dotnet run` sets to the repository root.
    var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    RuntimeTuning.Apply(builder.Configuration);
    builder.Logging.ClearProviders()
        .SetMinimumLevel(LogLevel.Trace)
        .WithoutPerRequestHostingScope()
        .AddSerilog(LeanHostingExtensions.CreateSerilogLogger(builder.Configuration), dispose: true);
    builder.WebHost.UseKestrelHttpsConfiguration();
    builder.Services.AddMaintProxy(builder.Configuration).WithLeanStartup().WithoutHostWideFilters();

    var app = builder.Build();
    SettingsFileReloads.LogFailures(builder.Configuration, app.Services);
    app.MapAdminSurface();
    app.MapDemoBackend();
    app.UseMiddleware<DotSegmentsMiddleware>(); // before routing: see there
    app.UseMiddleware<LenientRoutingMiddleware>(); // routes //admin or /admin;x as /admin: see there
    app.UseRouting();
    app.UseMiddleware<SentPathMiddleware>();
    app.UseRouting(); // matches only a path routed by its lenient reading, now as sent
    app.UseMiddleware<StrictReadingMiddleware>();
    app.UseMiddleware<RequestLoggingMiddleware>();
    app.UseMiddleware<UnforwardableRequestMiddleware>();
    app.UseHostFiltering(); // AllowedHosts: public requests only (see HostWideFilters)
    app.UseMaintenance();
    app.MapReverseProxy();
    app.Run();
    return 0;
}
catch (Exception ex) when (StartupFailure.IsReportedAtExit(ex) && RuntimeTuning.IsMaintProxyTheProcess)
{
    // A port in use, a bad setting, a settings file that is not JSON, a configuration YARP refuses:
    // say so plainly, exit 1.
    // (Under a test host the exception goes to the test instead.)
    await Console.Error.WriteLineAsync($"MaintProxy cannot start: {StartupFailure.Describe(ex)}");
    return 1;
}

/// <summary>The entry point, visible to the tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
