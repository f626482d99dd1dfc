using Microsoft.Extensions.Options;

namespace MaintProxy.Lifetime;

/// <summary>
/// The processes that overlap restarts replaced and that may still be finishing their requests
/// (<see cref="LifetimeOptions.Predecessors"/>, set by <c>maint/restart.sh</c>). Their requests cannot
/// be counted from here, and their admin listener closed when they started draining, so
/// <c>down.sh --drain</c> waits for the processes themselves to exit.
/// </summary>
internal sealed class Predecessors
{
    private readonly Lock _lock = new();
    private readonly List<PredecessorProcess> _running;

    public Predecessors(IOptions<LifetimeOptions> options) =>
        _running = PredecessorProcess.TryParseList(options.Value.Predecessors, out var processes) ? processes : [];

    /// <summary>The id of the first one still running, or null. One seen gone is not looked at again.</summary>
    public int? FirstRunning()
    {
        lock (_lock)
        {
            _running.RemoveAll(process => !process.IsRunning());
            return _running.Count > 0 ? _running[0].Pid : null;
        }
    }
}
