using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace MaintProxy.Maintenance;

/// <summary>Rendered answers per window, kept as long as the window lives and the page is unchanged.</summary>
internal sealed class MaintenanceResponses(MaintenancePage page, IOptions<MaintenanceOptions> options, TimeProvider timeProvider)
{
    private readonly ConditionalWeakTable<MaintenanceWindow, RenderedWindow> _rendered = new();
    private readonly ConditionalWeakTable<MaintenanceWindow, RenderedWindow> _overdue = new();
    private readonly int _statusCode = options.Value.StatusCode;
    private readonly int _retryAfterSeconds = options.Value.RetryAfterSeconds;

    public int StatusCode => _statusCode;

    public RenderedWindow For(MaintenanceWindow window)
    {
        // Past its until the window stays on (only up.sh ends it), but a Retry-After date in the past
        // tells every client to retry at once, again and again: it is answered as a window without until.
        var overdue = window.Until is { } until && until <= timeProvider.GetUtcNow();
        var cache = overdue ? _overdue : _rendered;
        var template = page.Content;
        if (cache.TryGetValue(window, out var rendered) && ReferenceEquals(rendered.Template, template))
        {
            return rendered;
        }

        rendered = new RenderedWindow(overdue ? window with { Until = null } : window, template, _statusCode, _retryAfterSeconds);
        cache.AddOrUpdate(window, rendered);
        return rendered;
    }
}
