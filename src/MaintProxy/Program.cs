using MaintProxy.Admin;
using MaintProxy.Demo;
using MaintProxy.Hosting;
using MaintProxy.RequestLogging;
using Serilog;

// Settings live beside the binary; relative paths in them (maint/down, maint/maint.html) start at
// the working directory, which `dotnet run` sets to the repository root.
RuntimeTuning.Apply();
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Logging.ClearProviders()
    .SetMinimumLevel(LogLevel.Trace)
    .WithoutPerRequestHostingScope()
    .AddSerilog(LeanHostingExtensions.CreateSerilogLogger(builder.Configuration), dispose: true);
builder.WebHost.UseKestrelHttpsConfiguration();
builder.Services.AddMaintProxy(builder.Configuration).WithLeanStartup();

var app = builder.Build();
app.MapAdminSurface();
app.MapDemoBackend();
app.UseRouting();
app.UseMiddleware<RequestLoggingMiddleware>();
app.UseMaintenance();
app.MapReverseProxy();
app.Run();

/// <summary>The entry point, visible to the tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
