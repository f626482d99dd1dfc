using System.Text.RegularExpressions;
using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// Refuses two routes that match the same requests: the same <c>Order</c> and the same <c>Match</c>, their
/// path's parameter names aside (<c>{**catch-all}</c> is <c>/{**rest}</c>). ASP.NET Core's routing cannot
/// choose between them and answers every such request with 500; the usual cause is a route added beside
/// the shipped catch-all route <c>app</c> (on the command line, or in <c>appsettings.{Environment}.json</c>).
/// </summary>
internal static partial class RoutesWithOneMatch
{
    /// <summary>The first two routes that match the same requests, named with what to do; null when none.</summary>
    public static string? FindProblem(IReadOnlyList<RouteConfig> routes)
    {
        var seen = new Dictionary<(int Order, RouteMatch Match), string>();
        foreach (var route in routes)
        {
            var key = (route.Order ?? 0, route.Match with { Path = Shape(route.Match.Path) });
            if (seen.TryGetValue(key, out var earlier))
            {
                return $"Routes '{earlier}' and '{route.RouteId}' match the same requests (the same Match and Order), and every such request would be"
                    + $" answered 500: remove one, or give the route you add the name of the one it replaces ('{earlier}').";
            }

            seen.Add(key, route.RouteId);
        }

        return null;
    }

    // A route without a path matches every path; a leading '/' and parameter names change nothing.
    private static string Shape(string? path) =>
        ParameterName().Replace(path ?? "{**}", "{$1").TrimStart('/');

    [GeneratedRegex(@"\{(\*{0,2})[^{}:=?]*")]
    private static partial Regex ParameterName();
}
