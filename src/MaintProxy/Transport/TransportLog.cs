using System.Net;

namespace MaintProxy.Transport;

internal static partial class TransportLog
{
    [LoggerMessage(9001, LogLevel.Error, "Cannot accept connections on {EndPoint}: no file descriptor left for a new one ({SocketError}; the last {AdminReserve} are kept for the admin listener). Raise the open-file limit (LimitNOFILE= in the systemd unit, ulimit -n) or lower Kestrel:Limits:MaxConcurrentConnections; new connections wait in the backlog, tried again every {PauseMs} ms")]
    public static partial void AcceptPaused(ILogger logger, EndPoint endPoint, System.Net.Sockets.SocketError socketError, int adminReserve, double pauseMs);

    [LoggerMessage(9002, LogLevel.Warning, "Accepting connections on {EndPoint} again, after {FailedAccepts} failed attempt(s) over {Seconds:0.0} s")]
    public static partial void AcceptingAgain(ILogger logger, EndPoint endPoint, int failedAccepts, double seconds);
}
