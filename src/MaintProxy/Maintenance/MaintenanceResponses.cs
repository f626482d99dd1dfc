using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace MaintProxy.Maintenance;

/// <summary>Rendered answers per window, kept as long as the window lives and the page is unchanged.</summary>
internal sealed class MaintenanceResponses(MaintenancePage page, IOptions<MaintenanceOptions> options)
{
    private readonly ConditionalWeakTable<MaintenanceWindow, RenderedWindow> _rendered = new();
    private readonly int _statusCode = options.Value.StatusCode;
    private readonly int _retryAfterSeconds = options.Value.RetryAfterSeconds;

    public int StatusCode => _statusCode;

    public RenderedWindow For(MaintenanceWindow window)
    {
        var template = page.Content;
        if (_rendered.TryGetValue(window, out var rendered) && ReferenceEquals(rendered.Template, template))
        {
            return rendered;
        }

        rendered = new RenderedWindow(window, template, _statusCode, _retryAfterSeconds);
        _rendered.AddOrUpdate(window, rendered);
        return rendered;
    }
}
