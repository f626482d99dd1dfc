using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// The proxy in-process (<see cref="WebApplicationFactory{Program}"/>) with its own temp directory
/// for the sentinel and the page, in front of a given backend.
/// </summary>
internal sealed class InProcessProxy : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public InProcessProxy(string backendUrl, IReadOnlyDictionary<string, string>? settings = null)
    {
        Directory = new TempDirectory();
        _settings = new Dictionary<string, string?>
        {
            ["Maintenance:SentinelPath"] = SentinelPath,
            ["Maintenance:PagePath"] = PagePath,
            ["Maintenance:FilePollInterval"] = "00:00:00.050",
            ["DemoBackend:Enabled"] = "false",
            ["ReverseProxy:Clusters:app:Destinations:app:Address"] = backendUrl,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }
    }

    public TempDirectory Directory { get; }

    public LogCapture Logs { get; } = new();

    public string SentinelPath => Directory.File("down");

    public string PagePath => Directory.File("maint.html");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton<ILoggerProvider>(Logs));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Directory.Dispose();
        }
    }
}
