namespace MaintProxy.FastCgi;

/// <summary>
/// A request gave up (timed out, or its client left) while every connection to its server was busy and
/// it waited in the pool's line: the server never saw it.
/// </summary>
internal sealed class FastCgiConnectionWaitCanceledException : OperationCanceledException
{
    public FastCgiConnectionWaitCanceledException()
    {
    }

    public FastCgiConnectionWaitCanceledException(string message) : base(message)
    {
    }

    public FastCgiConnectionWaitCanceledException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public FastCgiConnectionWaitCanceledException(int maxConnections, TimeSpan waited, OperationCanceledException innerException)
        : base($"waited {waited.TotalMilliseconds:0} ms in line for one of the {maxConnections} connection(s), all busy", innerException, innerException.CancellationToken)
    {
        MaxConnections = maxConnections;
        Waited = waited;
    }

    public int MaxConnections { get; }

    public TimeSpan Waited { get; }
}
