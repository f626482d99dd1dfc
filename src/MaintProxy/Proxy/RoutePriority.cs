namespace MaintProxy.Proxy;

/// <summary>
/// Which of two matched routes ASP.NET Core's routing would try first had both matched one path: the
/// lower <c>Order</c>, then the more specific pattern (literal segments before parameters before catch-alls).
/// </summary>
internal static class RoutePriority
{
    public static bool IsAhead(Endpoint? endpoint, Endpoint? other)
    {
        if (endpoint is not RouteEndpoint route)
        {
            return false;
        }

        if (other is not RouteEndpoint otherRoute)
        {
            return true;
        }

        return route.Order != otherRoute.Order
            ? route.Order < otherRoute.Order
            : route.RoutePattern.InboundPrecedence < otherRoute.RoutePattern.InboundPrecedence;
    }
}
