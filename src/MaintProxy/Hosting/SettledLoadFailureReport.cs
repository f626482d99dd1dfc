using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace MaintProxy.Hosting;

/// <summary>
/// A settings file's failed load, reported once the file has had <see cref="SettleTime"/> to settle: a save
/// in place (<c>cat new.json &gt; appsettings.json</c>, vim with backupcopy=yes) empties the file before it
/// writes it, and a reload that reads it in between fails though the save is good a moment later. The rest of
/// the save is a change of its own, whose load supersedes the report; a file that stays broken is reported once.
/// </summary>
internal sealed class SettledLoadFailureReport
{
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _time;
    private readonly Action<string> _report;
    private readonly Lock _gate = new();
    private long _loads;
    private ITimer? _pending;

    public SettledLoadFailureReport(IConfigurationProvider provider, TimeProvider time, Action<string> report)
    {
        _time = time;
        _report = report;
        // A failed load throws before it signals a reload, so this sees successful loads only.
        ChangeToken.OnChange(provider.GetReloadToken, Loaded);
    }

    public void Failed(string problem)
    {
        lock (_gate)
        {
            var load = ++_loads;
            _pending?.Dispose();
            _pending = _time.CreateTimer(_ => ReportIfLatest(load, problem), null, SettleTime, Timeout.InfiniteTimeSpan);
        }
    }

    private void Loaded()
    {
        lock (_gate)
        {
            _loads++;
            _pending?.Dispose();
            _pending = null;
        }
    }

    private void ReportIfLatest(long load, string problem)
    {
        lock (_gate)
        {
            if (load != _loads)
            {
                return;
            }
        }

        _report(problem);
    }
}
