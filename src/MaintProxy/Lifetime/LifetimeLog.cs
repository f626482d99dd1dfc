namespace MaintProxy.Lifetime;

internal static partial class LifetimeLog
{
    [LoggerMessage(5001, LogLevel.Information, "Ready to serve (process {ProcessId}, SO_REUSEPORT {ReusePort}, {InheritedSockets} inherited socket(s))")]
    public static partial void Ready(ILogger logger, int processId, bool reusePort, int inheritedSockets);

    [LoggerMessage(5002, LogLevel.Warning, "Draining: new connections are no longer accepted and idle ones are closed (after {KeepAliveDrainGrace}, answering what comes on them meanwhile); {InFlight} request(s) in flight, drain timeout {DrainTimeout}")]
    public static partial void DrainStarted(ILogger logger, TimeSpan keepAliveDrainGrace, int inFlight, TimeSpan drainTimeout);

    [LoggerMessage(5003, LogLevel.Information, "Draining: {InFlight} request(s) still in flight after {ElapsedSeconds:0.0} s")]
    public static partial void Draining(ILogger logger, int inFlight, double elapsedSeconds);

    [LoggerMessage(5004, LogLevel.Error, "Drain timeout {DrainTimeout} expired: cutting off {InFlight} request(s) still in flight")]
    public static partial void DrainTimedOut(ILogger logger, TimeSpan drainTimeout, int inFlight);

    [LoggerMessage(5005, LogLevel.Error, "Second {Signal} while draining: cutting off {InFlight} request(s) still in flight")]
    public static partial void SecondSignal(ILogger logger, string signal, int inFlight);

    [LoggerMessage(5006, LogLevel.Warning, "Drained in {ElapsedSeconds:0.0} s: every request in flight finished; exiting")]
    public static partial void Drained(ILogger logger, double elapsedSeconds);

    [LoggerMessage(5007, LogLevel.Error, "Stopped hard after {ElapsedSeconds:0.0} s ({Reason}); exiting")]
    public static partial void StoppedHard(ILogger logger, double elapsedSeconds, string reason);

    [LoggerMessage(5016, LogLevel.Warning, "Draining: closed {Count} upgraded connection(s) (WebSocket), which never finish by themselves; their clients reconnect to the process that serves")]
    public static partial void UpgradesClosed(ILogger logger, int count);

    [LoggerMessage(5017, LogLevel.Warning, "Draining: closed {Count} stalled connection(s) (a TLS handshake or a request head not complete), now that no request is in flight")]
    public static partial void StalledConnectionsClosed(ILogger logger, int count);

    [LoggerMessage(5018, LogLevel.Warning, "Stopping hard: closed the {Count} connection(s) still open")]
    public static partial void ConnectionsClosedAtHardStop(ILogger logger, int count);

    [LoggerMessage(5014, LogLevel.Warning, "SIGHUP ignored: the proxy keeps serving and a signal reloads nothing. Saved edits of appsettings.json apply by themselves to ReverseProxy, AllowedHosts and the Serilog levels; to apply other settings, restart it with maint/restart.sh (or systemctl restart maintproxy.service); the maintenance switch needs no signal (down.sh, up.sh)")]
    public static partial void HangupIgnored(ILogger logger);

    [LoggerMessage(5008, LogLevel.Information, "Listening on {Count} inherited socket(s) (LISTEN_FDS); the addresses in Kestrel:Endpoints are not bound")]
    public static partial void InheritedSockets(ILogger logger, int count);

    [LoggerMessage(5012, LogLevel.Information, "Inherited socket {Name} serves HTTPS with the certificate of Kestrel:Endpoints:{Name} ({Subject}, expires {NotAfter:u})")]
    public static partial void InheritedHttps(ILogger logger, string name, string subject, DateTime notAfter);

    [LoggerMessage(5013, LogLevel.Warning, "Kestrel:Endpoints:{Name} ({Url}) is not served: no inherited socket is named {Name} (FileDescriptorName={Name} in its .socket unit)")]
    public static partial void HttpsEndpointWithoutSocket(ILogger logger, string name, string url);

    [LoggerMessage(5009, LogLevel.Information, "PID file {PidFile} now names process {ProcessId}")]
    public static partial void PidFileWritten(ILogger logger, string pidFile, string processId);

    [LoggerMessage(5015, LogLevel.Information, "PID file {PidFile} removed: process {ProcessId} no longer serves new connections")]
    public static partial void PidFileRemoved(ILogger logger, string pidFile, string processId);

    [LoggerMessage(5010, LogLevel.Error, "PID file {PidFile} could not be written or removed: {Problem}")]
    public static partial void PidFileFailed(ILogger logger, string pidFile, string problem);

    [LoggerMessage(5011, LogLevel.Warning, "Could not notify systemd ({State}): {Problem}")]
    public static partial void NotifyFailed(ILogger logger, string state, string problem);
}
