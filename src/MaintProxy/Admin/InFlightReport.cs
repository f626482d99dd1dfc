namespace MaintProxy.Admin;

/// <summary>
/// The answer of <c>GET /in-flight</c>: <c>{"inFlight":N,"predecessorPid":P}</c>, P the process an
/// overlap restart replaced while it still runs, else null.
/// </summary>
internal sealed record InFlightReport(int InFlight, int? PredecessorPid);
