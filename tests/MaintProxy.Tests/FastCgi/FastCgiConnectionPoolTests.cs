using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MaintProxy.FastCgi;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>The pool over real loopback connections to a listener that only counts and keeps them.</summary>
public sealed class FastCgiConnectionPoolTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<Socket> _accepted = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly FastCgiEndpoint _endpoint;

    public FastCgiConnectionPoolTests()
    {
        _listener.Start();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Assert.True(FastCgiEndpoint.TryParseAddress($"fcgi://127.0.0.1:{port}", out var endpoint, out var error), error);
        _endpoint = endpoint;
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                _accepted.Enqueue(await _listener.AcceptSocketAsync(_stop.Token));
            }
        });
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var socket in _accepted)
        {
            socket.Dispose();
        }

        _stop.Dispose();
    }

    [Fact]
    public async Task AcquireAsync_AtTheBound_WaitsForARelease()
    {
        using var pool = Pool(2);
        var (a, _) = await pool.AcquireAsync(default);
        var (b, _) = await pool.AcquireAsync(default);

        var third = pool.AcquireAsync(default).AsTask();
        await Task.Delay(100);
        Assert.False(third.IsCompleted);

        pool.Release(a, reusable: true);
        var (c, reused) = await third.WaitAsync(Wait);

        Assert.Same(a, c);
        Assert.True(reused);
        Assert.Equal(2, pool.Count);
        Assert.True(await Eventually.TrueAsync(() => _accepted.Count == 2, Wait));
        pool.Release(b, reusable: true);
        pool.Release(c, reusable: true);
        Assert.Equal(2, pool.IdleCount);
    }

    [Fact]
    public async Task Release_SeveralWaiting_ServesThemInArrivalOrder()
    {
        using var pool = Pool(1);
        var (held, _) = await pool.AcquireAsync(default);
        var waiters = new List<Task<(FastCgiConnection, bool)>>();
        for (var i = 0; i < 5; i++)
        {
            waiters.Add(pool.AcquireAsync(default).AsTask());
            await Task.Delay(5);
        }

        var order = new List<int>();
        var current = held;
        for (var served = 0; served < waiters.Count; served++)
        {
            pool.Release(current, reusable: true);
            var next = await Task.WhenAny(waiters.Where(w => !order.Contains(waiters.IndexOf(w)))).WaitAsync(Wait);
            order.Add(waiters.IndexOf(next));
            current = (await next).Item1;
        }

        Assert.Equal([0, 1, 2, 3, 4], order);
        pool.Release(current, reusable: true);
    }

    [Fact]
    public async Task AcquireAsync_WaiterCanceled_LeavesTheLineAndTheNextIsServed()
    {
        using var pool = Pool(1);
        var (held, _) = await pool.AcquireAsync(default);
        using var cts = new CancellationTokenSource();
        var canceled = pool.AcquireAsync(cts.Token).AsTask();
        var next = pool.AcquireAsync(default).AsTask();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled);
        pool.Release(held, reusable: true);

        Assert.Same(held, (await next.WaitAsync(Wait)).Item1);
    }

    [Fact]
    public async Task Release_NotReusable_ClosesItAndHandsTheSlotToTheNextInLine()
    {
        using var pool = Pool(1);
        var (broken, _) = await pool.AcquireAsync(default);
        var next = pool.AcquireAsync(default).AsTask();

        pool.Release(broken, reusable: false);
        var (fresh, reused) = await next.WaitAsync(Wait);

        Assert.True(broken.IsDisposed);
        Assert.NotSame(broken, fresh);
        Assert.False(reused);
        Assert.Equal(1, pool.Count);
        Assert.True(await Eventually.TrueAsync(() => _accepted.Count == 2, Wait));
    }

    [Fact]
    public async Task AcquireAsync_IdleConnectionClosedByTheServer_OpensANewOne()
    {
        using var pool = Pool(1);
        var (first, _) = await pool.AcquireAsync(default);
        pool.Release(first, reusable: true);
        Assert.True(await Eventually.TrueAsync(() => _accepted.Count == 1, Wait));
        _accepted.First().Dispose();
        Assert.True(await Eventually.TrueAsync(() => !first.IsReusableWhenIdle(), Wait));

        var (second, reused) = await pool.AcquireAsync(default);

        Assert.NotSame(first, second);
        Assert.False(reused);
        Assert.Equal(1, pool.Count);
    }

    [Fact]
    public async Task AcquireAsync_WaiterHandedAConnectionTheServerClosed_OpensANewOne()
    {
        using var pool = Pool(1);
        var (first, _) = await pool.AcquireAsync(default);
        var next = pool.AcquireAsync(default).AsTask();
        Assert.True(await Eventually.TrueAsync(() => _accepted.Count == 1, Wait));
        _accepted.First().Dispose();
        Assert.True(await Eventually.TrueAsync(() => !first.IsReusableWhenIdle(), Wait));

        pool.Release(first, reusable: true);
        var (second, reused) = await next.WaitAsync(Wait);

        Assert.NotSame(first, second);
        Assert.False(reused);
        Assert.True(first.IsDisposed);
        Assert.Equal(1, pool.Count);
        Assert.True(await Eventually.TrueAsync(() => _accepted.Count == 2, Wait));
    }

    [Fact]
    public async Task AcquireAsync_TakesTheConnectionIdleTheLongest_PassingOverOnePastTheIdleTimeout()
    {
        var clock = new ManualClock();
        using var pool = new FastCgiConnectionPool(3, TimeSpan.FromMinutes(1), clock,
            token => FastCgiConnection.ConnectAsync(_endpoint, TimeSpan.FromSeconds(5), token));
        var (a, _) = await pool.AcquireAsync(default);
        var (b, _) = await pool.AcquireAsync(default);
        var (c, _) = await pool.AcquireAsync(default);
        pool.Release(a, reusable: true);
        clock.Advance(TimeSpan.FromSeconds(20));
        pool.Release(b, reusable: true);
        clock.Advance(TimeSpan.FromSeconds(20));
        pool.Release(c, reusable: true);

        var (first, _) = await pool.AcquireAsync(default);
        Assert.Same(a, first);
        pool.Release(first, reusable: true);

        // b has been idle 70 s, c and a 50 s.
        clock.Advance(TimeSpan.FromSeconds(50));
        var (second, reused) = await pool.AcquireAsync(default);

        Assert.Same(c, second);
        Assert.True(reused);
        Assert.True(b.IsDisposed);
        Assert.Equal(2, pool.Count);
        Assert.Equal(1, pool.IdleCount);
    }

    [Fact]
    public async Task Retire_ClosesIdleNowAndBusyOnRelease()
    {
        var pool = Pool(2);
        var (idle, _) = await pool.AcquireAsync(default);
        var (busy, _) = await pool.AcquireAsync(default);
        pool.Release(idle, reusable: true);

        pool.Retire();
        Assert.True(idle.IsDisposed);
        pool.Release(busy, reusable: true);

        Assert.True(busy.IsDisposed);
        Assert.Equal(0, pool.Count);
    }

    private FastCgiConnectionPool Pool(int max) =>
        new(max, TimeSpan.FromMinutes(1), TimeProvider.System, token => FastCgiConnection.ConnectAsync(_endpoint, TimeSpan.FromSeconds(5), token));
}
