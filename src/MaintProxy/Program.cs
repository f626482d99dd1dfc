using MaintProxy.Admin;
using MaintProxy.Demo;
using MaintProxy.RequestLogging;
using Serilog;

// Settings live beside the binary; relative paths in them (maint/down, maint/maint.html) start at
// the working directory, which `dotnet run` sets to the repository root.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Logging.ClearProviders()
    .SetMinimumLevel(LogLevel.Trace)
    .AddSerilog(new LoggerConfiguration().ReadFrom.Configuration(builder.Configuration).CreateLogger(), dispose: true);
builder.Services.AddMaintProxy(builder.Configuration);

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
