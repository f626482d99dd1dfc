using System.Text.RegularExpressions;
using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// Refuses two routes that match the same requests: the same <c>Order</c>, the same path (parameter names,
/// <c>{*x}</c> or <c>{**x}</c>, a leading or trailing <c>/</c> and case aside: <c>{**catch-all}</c> is
/// <c>/{**rest}</c>), the same <c>Headers</c> and <c>QueryParameters</c> matchers in any order, and a host
/// and a method in common (or neither route naming any). ASP.NET Core's routing cannot choose between them
/// and answers each request both match with 500; the usual cause is a route added beside the shipped
/// catch-all route <c>app</c> (on the command line, or in <c>appsettings.{Environment}.json</c>).
/// </summary>
internal static partial class RoutesWithOneMatch
{
    /// <summary>The first two routes that match the same requests, named with what to do; null when none.</summary>
    public static string? FindProblem(IReadOnlyList<RouteConfig> routes)
    {
        // Only routes with the same order and path can clash; the rest is compared within those few.
        var samePath = new Dictionary<(int Order, string Path), List<RouteConfig>>();
        foreach (var route in routes)
        {
            if (string.IsNullOrEmpty(route.Match.Path) && route.Match.Hosts is not { Count: > 0 })
            {
                continue; // YARP refuses it, saying why
            }

            var key = (route.Order ?? 0, Shape(route.Match.Path));
            if (!samePath.TryGetValue(key, out var earlier))
            {
                samePath.Add(key, [route]);
                continue;
            }

            if (earlier.Find(other => Clash(other.Match, route.Match)) is { } clashing)
            {
                return $"Routes '{clashing.RouteId}' and '{route.RouteId}' match the same requests (the same Order and Path, Headers and QueryParameters,"
                    + $" and Hosts and Methods in common), and every such request would be answered 500: remove one, or give the route you add the name of"
                    + $" the one it replaces ('{clashing.RouteId}').";
            }

            earlier.Add(route);
        }

        return null;
    }

    private static bool Clash(RouteMatch a, RouteMatch b) =>
        SameItems(a.Headers, b.Headers) && SameItems(a.QueryParameters, b.QueryParameters)
        && ShareOne(a.Hosts, b.Hosts) && ShareOne(a.Methods, b.Methods);

    // Matchers in another order match the same requests (YARP's records compare names and values as routing does).
    private static bool SameItems<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        return a is null || b is null || (a.All(b.Contains) && b.All(a.Contains));
    }

    // A route naming no host (no method) and one naming some are told apart: the one naming some wins.
    private static bool ShareOne(IReadOnlyList<string>? a, IReadOnlyList<string>? b)
    {
        if (a is not { Count: > 0 } || b is not { Count: > 0 })
        {
            return a is not { Count: > 0 } && b is not { Count: > 0 };
        }

        return a.Any(item => b.Contains(item, StringComparer.OrdinalIgnoreCase));
    }

    // A route without a path matches every path; routing takes a leading or trailing '/', parameter names,
    // {*x} for {**x} and the case of literals as the same.
    private static string Shape(string? path) =>
        ParameterName().Replace(string.IsNullOrEmpty(path) ? "{**}" : path, parameter => parameter.Groups[1].Length > 0 ? "{**" : "{")
            .Trim('/').ToUpperInvariant();

    [GeneratedRegex(@"\{(\*{0,2})[^{}:=?]*")]
    private static partial Regex ParameterName();
}
