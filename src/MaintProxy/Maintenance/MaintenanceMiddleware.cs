using System.Globalization;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace MaintProxy.Maintenance;

/// <summary>
/// Answers every request with the maintenance 503 while the sentinel says so; otherwise passes it
/// on untouched. The check is one read of an immutable snapshot.
/// </summary>
internal sealed class MaintenanceMiddleware
{
    public const string ModeHeader = "X-Maintenance-Mode";

    private static readonly StringValues ModeOn = "1";
    private static readonly StringValues NoStore = "no-store, no-cache, must-revalidate";
    private static readonly StringValues HtmlContentType = "text/html; charset=utf-8";

    private readonly RequestDelegate _next;
    private readonly MaintenanceState _state;
    private readonly MaintenancePage _page;
    private readonly StringValues _defaultRetryAfter;

    public MaintenanceMiddleware(RequestDelegate next, MaintenanceState state, MaintenancePage page, IOptions<MaintenanceOptions> options)
    {
        _next = next;
        _state = state;
        _page = page;
        _defaultRetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
    }

    public Task InvokeAsync(HttpContext context)
    {
        var window = _state.Current.Match();
        return window is null ? _next(context) : WriteMaintenanceAsync(context, window);
    }

    private Task WriteMaintenanceAsync(HttpContext context, MaintenanceWindow window)
    {
        var response = context.Response;
        var body = _page.Content;
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        var headers = response.Headers;
        headers[ModeHeader] = ModeOn;
        headers.RetryAfter = window.RetryAfterSeconds is { } seconds
            ? seconds.ToString(CultureInfo.InvariantCulture)
            : _defaultRetryAfter;
        headers.CacheControl = NoStore;
        headers.ContentType = HtmlContentType;
        response.ContentLength = body.Length;

        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
