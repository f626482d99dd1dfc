using System.Runtime.InteropServices;
using MaintProxy.Maintenance;
using Microsoft.Extensions.Options;

namespace MaintProxy.Lifetime;

/// <summary>
/// What Kestrel's own shutdown leaves out. Kestrel, on the host's stop, stops accepting, closes
/// idle keep-alive connections and waits for the others until the host's shutdown timeout; it says
/// nothing while it waits, and a second SIGTERM does nothing. This adds the drain's log (start,
/// progress, end), the hard stop on a second signal or at <see cref="LifetimeOptions.DrainTimeout"/>,
/// readiness and stopping notices for systemd, and the PID file; and it keeps SIGHUP from ending
/// the process. Kestrel also closes the connections kept alive between requests at once, so a client
/// whose next request is already on its way sees its connection closed without an answer; the drain
/// therefore stops accepting first, answers on those connections for
/// <see cref="LifetimeOptions.KeepAliveDrainGrace"/> with <c>Connection: close</c>, and only then lets
/// Kestrel stop. Upgraded connections (WebSockets) never finish by themselves, so the drain closes
/// them rather than wait for the timeout.
/// </summary>
internal sealed class GracefulShutdown(
    IHostApplicationLifetime lifetime,
    ServedRequests requests,
    OpenConnections connections,
    IOptions<LifetimeOptions> options,
    SystemdNotifier systemd,
    PidFile pidFile,
    ListeningSockets listening,
    MaintenanceState maintenance,
    InFlightRequests inFlight,
    TimeProvider timeProvider,
    ILogger<GracefulShutdown> logger) : IHostedLifecycleService, IDisposable
{
    /// <summary>How often, after the grace, the drain looks for stalled connections it may close (see <see cref="OpenConnection.TryCloseIfStalled"/>).</summary>
    private static readonly TimeSpan StalledConnectionsCheckInterval = TimeSpan.FromMilliseconds(50);

    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _graceCut = new();
    private readonly List<IDisposable> _subscriptions = [];
    private ITimer? _progressTimer;
    private ITimer? _deadlineTimer;
    private ITimer? _stalledConnectionsTimer;
    private bool _timersDisposed;
    private long _drainStarted;
    private int _signals;
    private string? _hardStopReason;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var signal in (ReadOnlySpan<PosixSignal>)[PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT])
        {
            _subscriptions.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }

        // SIGHUP's default action ends the process at once, without a drain: it comes when the
        // terminal that started the proxy closes, and from operators used to nginx's reload.
        _subscriptions.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnHangup));

        _subscriptions.Add(lifetime.ApplicationStarted.Register(OnStarted));
        _subscriptions.Add(lifetime.ApplicationStopping.Register(OnStopping));
        _subscriptions.Add(lifetime.ApplicationStopped.Register(OnStopped));
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before Kestrel's stop: the grace in which kept-alive connections are still answered.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        StopAccepting();
        var grace = options.Value.KeepAliveDrainGrace;
        if (grace > TimeSpan.Zero)
        {
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _graceCut.Token);
            try
            {
                await Task.Delay(grace, timeProvider, cut.Token);
            }
            catch (OperationCanceledException)
            {
                // A second signal, the drain timeout or the host's own deadline: Kestrel stops now.
            }
        }

        // Again: a WebSocket handshake may have come on a kept-alive connection during the grace.
        CloseUpgrades();
        lock (_lock)
        {
            _stalledConnectionsTimer = timeProvider.CreateTimer(_ => CheckStalledConnections(), null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    // The drain happens in the host's stop, after this; the subscriptions stay until disposal.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void StopAccepting()
    {
        // Before the admin listener closes: once it has, the scripts are confirmed by another process.
        maintenance.ReadSentinelForEachDecision();
        requests.CloseConnectionsAfterTheirAnswer();
        listening.CloseAll();
        CloseUpgrades();
    }

    // A WebSocket never finishes by itself: left open, it would hold the drain until DrainTimeout
    // and then be cut off anyway. Closed now, its client reconnects to the process that serves.
    private void CloseUpgrades()
    {
        var closed = inFlight.CloseAllUpgrades();
        if (closed > 0)
        {
            LifetimeLog.UpgradesClosed(logger, closed);
        }
    }

    // Re-armed after each check rather than periodic: a check the thread pool runs late never overlaps the
    // next one, so the two checks a stalled connection must pass stay at least the interval apart.
    private void CheckStalledConnections()
    {
        CloseStalledConnectionsOnceNoRequestInFlight();
        lock (_lock)
        {
            if (!_timersDisposed)
            {
                _stalledConnectionsTimer?.Change(StalledConnectionsCheckInterval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    // A request head that completes while requests are still in flight is answered; once none is, nothing
    // else holds the drain, and a connection without a request would hold it until Kestrel's timeout for it.
    private void CloseStalledConnectionsOnceNoRequestInFlight()
    {
        if (requests.Count != 0)
        {
            return;
        }

        var closed = connections.CloseStalled();
        if (closed > 0)
        {
            LifetimeLog.StalledConnectionsClosed(logger, closed);
        }
    }

    private void CloseAllConnections()
    {
        requests.AbortAll();
        var closed = connections.CloseAll();
        if (closed > 0)
        {
            LifetimeLog.ConnectionsClosedAtHardStop(logger, closed);
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) == 1)
        {
            lifetime.StopApplication();
            return;
        }

        if (TryBeginHardStop($"second {context.Signal}"))
        {
            LifetimeLog.SecondSignal(logger, context.Signal.ToString(), requests.Count);
            CloseAllConnections();
        }
    }

    private void OnHangup(PosixSignalContext context)
    {
        context.Cancel = true;
        LifetimeLog.HangupIgnored(logger);
    }

    private void OnStarted()
    {
        pidFile.Write();
        systemd.Notify("READY=1\nSTATUS=Serving");
        LifetimeLog.Ready(logger, Environment.ProcessId, options.Value.ReusePort, SystemdSockets.InheritedCount());
    }

    private void OnStopping()
    {
        var drainTimeout = options.Value.DrainTimeout;
        var interval = options.Value.DrainProgressInterval;
        var inFlight = requests.Count;
        lock (_lock)
        {
            _drainStarted = timeProvider.GetTimestamp();
            _progressTimer = timeProvider.CreateTimer(_ => ReportProgress(), null, interval, interval);
            _deadlineTimer = timeProvider.CreateTimer(_ => OnDrainTimeout(drainTimeout), null, drainTimeout, Timeout.InfiniteTimeSpan);
        }

        StopAccepting();
        systemd.Notify($"STOPPING=1\nSTATUS=Draining {inFlight} request(s)");
        LifetimeLog.DrainStarted(logger, options.Value.KeepAliveDrainGrace, inFlight, drainTimeout);
        // A draining process is no longer the proxy that serves: maint/restart.sh must not find it.
        pidFile.RemoveIfOurs();
    }

    private void ReportProgress()
    {
        var inFlight = requests.Count;
        if (inFlight > 0)
        {
            systemd.Notify($"STATUS=Draining {inFlight} request(s)");
            LifetimeLog.Draining(logger, inFlight, timeProvider.GetElapsedTime(_drainStarted).TotalSeconds);
        }
    }

    private void OnDrainTimeout(TimeSpan drainTimeout)
    {
        if (TryBeginHardStop($"drain timeout {drainTimeout} expired"))
        {
            LifetimeLog.DrainTimedOut(logger, drainTimeout, requests.Count);
            CloseAllConnections();
        }
    }

    private bool TryBeginHardStop(string reason)
    {
        lock (_lock)
        {
            if (_hardStopReason is not null)
            {
                return false;
            }

            _hardStopReason = reason;
        }

        _graceCut.Cancel();
        return true;
    }

    private void OnStopped()
    {
        string? hardStopReason;
        lock (_lock)
        {
            _progressTimer?.Dispose();
            _deadlineTimer?.Dispose();
            _stalledConnectionsTimer?.Dispose();
            _timersDisposed = true;
            hardStopReason = _hardStopReason;
        }

        var elapsed = timeProvider.GetElapsedTime(_drainStarted).TotalSeconds;
        if (hardStopReason is null)
        {
            LifetimeLog.Drained(logger, elapsed);
        }
        else
        {
            LifetimeLog.StoppedHard(logger, elapsed, hardStopReason);
        }

        pidFile.RemoveIfOurs();
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        lock (_lock)
        {
            _progressTimer?.Dispose();
            _deadlineTimer?.Dispose();
            _stalledConnectionsTimer?.Dispose();
            _timersDisposed = true;
        }

        _graceCut.Dispose();
    }
}
