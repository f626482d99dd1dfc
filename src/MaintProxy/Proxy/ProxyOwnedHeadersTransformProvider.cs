using MaintProxy.Maintenance;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace MaintProxy.Proxy;

/// <summary>
/// Removes the maintenance headers from every backend answer, HTTP or FastCGI: only MaintProxy sets
/// them. A backend's own <c>X-Maintenance-Mode: 1</c> on its 503 would otherwise make an outage look
/// like the planned maintenance that clients, monitors and CDNs trust that header for.
/// </summary>
internal sealed class ProxyOwnedHeadersTransformProvider : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.AddResponseTransform(static transform =>
        {
            var headers = transform.HttpContext.Response.Headers;
            if (HasMaintenanceHeaders(headers) && !IsMaintenanceAnswer(transform.HttpContext))
            {
                headers.Remove(MaintenanceMiddleware.ModeHeader);
                headers.Remove(MaintenanceMiddleware.ScopeHeader);
                headers.Remove(MaintenanceMiddleware.BypassedHeader);
            }

            return ValueTask.CompletedTask;
        });
    }

    private static bool HasMaintenanceHeaders(IHeaderDictionary headers) =>
        headers.ContainsKey(MaintenanceMiddleware.ModeHeader)
        || headers.ContainsKey(MaintenanceMiddleware.ScopeHeader)
        || headers.ContainsKey(MaintenanceMiddleware.BypassedHeader);

    // The FastCGI handler answers a request that maintenance caught on its way to the server itself (MaintenanceGate).
    private static bool IsMaintenanceAnswer(HttpContext context) =>
        context.Features.Get<MaintenanceOutcomeFeature>()?.Outcome == MaintenanceOutcome.Maintenance;
}
