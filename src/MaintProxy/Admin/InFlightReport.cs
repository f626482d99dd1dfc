namespace MaintProxy.Admin;

/// <summary>The answer of <c>GET /in-flight</c>: <c>{"inFlight":N}</c>.</summary>
internal sealed record InFlightReport(int InFlight);
