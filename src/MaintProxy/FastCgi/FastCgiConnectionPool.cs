namespace MaintProxy.FastCgi;

/// <summary>
/// The connections to one FastCGI endpoint. Never more than <c>maxConnections</c> are open or
/// opening: a php-fpm worker serves one connection at a time and stays on a kept-alive one, so a
/// connection beyond the worker count would wait in the server's accept queue. Excess requests wait
/// here instead, first come first served, for as long as their cancellation token allows. The
/// connection idle the longest is handed out first, and each is checked as it is taken.
/// </summary>
internal sealed class FastCgiConnectionPool : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<FastCgiConnection> _idle = [];
    private readonly Queue<TaskCompletionSource<FastCgiConnection?>> _waiters = new();
    private readonly Func<CancellationToken, ValueTask<FastCgiConnection>> _connect;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _idleTimeout;
    private readonly ITimer _sweepTimer;
    private int _count;
    private bool _retired;

    public FastCgiConnectionPool(int maxConnections, TimeSpan idleTimeout, TimeProvider timeProvider,
        Func<CancellationToken, ValueTask<FastCgiConnection>> connect)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnections, 1);
        MaxConnections = maxConnections;
        _idleTimeout = idleTimeout;
        _timeProvider = timeProvider;
        _connect = connect;
        var period = TimeSpan.FromTicks(Math.Max(idleTimeout.Ticks / 2, TimeSpan.TicksPerSecond));
        _sweepTimer = timeProvider.CreateTimer(static state => ((FastCgiConnectionPool)state!).CloseExpired(), this, period, period);
    }

    public int MaxConnections { get; }

    /// <summary>Connections open or being opened, busy or idle.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>Hands out an idle connection, opens a new one within the bound, or waits in line for either.</summary>
    public async ValueTask<(FastCgiConnection Connection, bool Reused)> AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            FastCgiConnection? idle = null;
            TaskCompletionSource<FastCgiConnection?>? waiter = null;
            lock (_lock)
            {
                if (_idle.Count > 0)
                {
                    // The one idle the longest: a worker whose script runs on after fastcgi_finish_request()
                    // has sent END_REQUEST but cannot take the next request yet; the others have had longer to finish.
                    idle = _idle[0];
                    _idle.RemoveAt(0);
                }
                else if (_count < MaxConnections)
                {
                    _count++;
                }
                else
                {
                    waiter = new TaskCompletionSource<FastCgiConnection?>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _waiters.Enqueue(waiter);
                }
            }

            if (idle is not null)
            {
                if (IsFresh(idle))
                {
                    return (idle, true);
                }

                Release(idle, reusable: false);
                continue;
            }

            if (waiter is not null)
            {
                FastCgiConnection? handed;
                var waitStart = _timeProvider.GetTimestamp();
                try
                {
                    using (cancellationToken.UnsafeRegister(static (state, token) =>
                        ((TaskCompletionSource<FastCgiConnection?>)state!).TrySetCanceled(token), waiter))
                    {
                        handed = await waiter.Task;
                    }
                }
                catch (OperationCanceledException ex)
                {
                    throw new FastCgiConnectionWaitCanceledException(MaxConnections, _timeProvider.GetElapsedTime(waitStart), ex);
                }

                if (handed is not null)
                {
                    // Checked here, not when it was handed over: a server that closes after END_REQUEST
                    // (php-fpm after pm.max_requests) has had the most time to do so.
                    if (handed.IsReusableWhenIdle())
                    {
                        return (handed, true);
                    }

                    // Its slot is this caller's now: a new connection takes it.
                    handed.Dispose();
                }
            }

            // This caller holds one slot of the bound now and must give it back if it cannot use it.
            try
            {
                return (await _connect(cancellationToken), false);
            }
            catch
            {
                ReleaseSlot();
                throw;
            }
        }
    }

    /// <summary>
    /// Gives a connection back: reusable ones go to the next in line or to the idle list, others are
    /// closed and their slot goes to the next in line.
    /// </summary>
    public void Release(FastCgiConnection connection, bool reusable)
    {
        lock (_lock)
        {
            if (reusable && !_retired && !connection.IsDisposed)
            {
                while (_waiters.TryDequeue(out var waiter))
                {
                    if (waiter.TrySetResult(connection))
                    {
                        return;
                    }
                }

                connection.IdleSince = _timeProvider.GetTimestamp();
                _idle.Add(connection);
                return;
            }
        }

        connection.Dispose();
        ReleaseSlot();
    }

    /// <summary>Closes idle connections now and busy ones when they come back: a new configuration replaced this pool.</summary>
    public void Retire()
    {
        FastCgiConnection[] idle;
        lock (_lock)
        {
            _retired = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        _sweepTimer.Dispose();
        foreach (var connection in idle)
        {
            connection.Dispose();
            ReleaseSlot();
        }
    }

    public void Dispose() => Retire();

    private bool IsFresh(FastCgiConnection connection) =>
        _timeProvider.GetElapsedTime(connection.IdleSince) < _idleTimeout && connection.IsReusableWhenIdle();

    private void ReleaseSlot()
    {
        lock (_lock)
        {
            _count--;
            while (_waiters.TryDequeue(out var waiter))
            {
                // A null result hands the slot itself over: the waiter opens a connection.
                if (waiter.TrySetResult(null))
                {
                    _count++;
                    return;
                }
            }
        }
    }

    private void CloseExpired()
    {
        List<FastCgiConnection>? expired = null;
        lock (_lock)
        {
            for (var i = _idle.Count - 1; i >= 0; i--)
            {
                if (_timeProvider.GetElapsedTime(_idle[i].IdleSince) >= _idleTimeout)
                {
                    (expired ??= []).Add(_idle[i]);
                    _idle.RemoveAt(i);
                }
            }
        }

        foreach (var connection in expired ?? [])
        {
            connection.Dispose();
            ReleaseSlot();
        }
    }
}
