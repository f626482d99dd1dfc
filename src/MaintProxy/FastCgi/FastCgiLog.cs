namespace MaintProxy.FastCgi;

internal static partial class FastCgiLog
{
    [LoggerMessage(4001, LogLevel.Warning, "FastCGI stderr from cluster {ClusterId} destination {Destination}: {Line}")]
    public static partial void Stderr(ILogger logger, string clusterId, string destination, string line);

    [LoggerMessage(4002, LogLevel.Information, "FastCGI transport for cluster {ClusterId}: document root {DocumentRoot}, at most {MaxConnections} connection(s) per server, keep-conn {KeepConn}")]
    public static partial void ClientCreated(ILogger logger, string clusterId, string documentRoot, int maxConnections, bool keepConn);

    [LoggerMessage(4003, LogLevel.Debug, "FastCGI connection {Destination} opened for cluster {ClusterId}")]
    public static partial void ConnectionOpened(ILogger logger, string clusterId, string destination);

    [LoggerMessage(4004, LogLevel.Debug, "FastCGI connection {Destination} for cluster {ClusterId} closed with no answer to the {Method} request it was reused for; sending it again on another connection, as its method is idempotent (the application may have run it once already)")]
    public static partial void SendingAgain(ILogger logger, string clusterId, string destination, string method, Exception exception);

    [LoggerMessage(4005, LogLevel.Debug, "FastCGI request to {Destination} for cluster {ClusterId} ended without a clean END_REQUEST; connection closed")]
    public static partial void Aborted(ILogger logger, string clusterId, string destination);

    [LoggerMessage(4006, LogLevel.Information, "FastCGI transport for cluster {ClusterId} replaced by a new configuration; its connections close")]
    public static partial void ClientRetired(ILogger logger, string clusterId);

    [LoggerMessage(4012, LogLevel.Information, "FastCGI cluster {ClusterId} removed from the configuration; its connections close")]
    public static partial void ClusterRemoved(ILogger logger, string clusterId);

    [LoggerMessage(4013, LogLevel.Information, "FastCGI destination {Destination} removed from cluster {ClusterId}; its connections close")]
    public static partial void DestinationRemoved(ILogger logger, string clusterId, string destination);

    [LoggerMessage(4007, LogLevel.Debug, "FastCGI connection {Destination} for cluster {ClusterId} closed with no answer to the {Method} request it was reused for; not sent again, as the application may have run it")]
    public static partial void NotSendingAgain(ILogger logger, string clusterId, string destination, string method);

    [LoggerMessage(4009, LogLevel.Warning, "FastCGI request for cluster {ClusterId} gave up after waiting {WaitedMs} ms in line for a connection to {Destination}: all {MaxConnections} were busy, so the server never saw it (a pool too small for the traffic: raise pm.max_children and MaxConnectionsPerServer together)")]
    public static partial void GaveUpWaitingForConnection(ILogger logger, string clusterId, string destination, long waitedMs, int maxConnections);

    [LoggerMessage(4010, LogLevel.Warning, "FastCGI response from {Destination} for cluster {ClusterId} cannot be spooled to a temporary file ({Reason}); the rest of it goes to the client at the client's pace, holding its connection and worker until then")]
    public static partial void ResponseSpoolFileFailed(ILogger logger, string clusterId, string destination, string reason);

    [LoggerMessage(4011, LogLevel.Error, "FastCGI request body for cluster {ClusterId} cannot be buffered in a temporary file ({Reason}); answered 507 without running the application (free space in TMPDIR, or point TMPDIR at a larger disk)")]
    public static partial void RequestBodyNotBuffered(ILogger logger, string clusterId, string reason);

    [LoggerMessage(4008, LogLevel.Information, "FastCGI cluster {ClusterId}: the document root {DocumentRoot} is not a folder the proxy sees, so paths ending in '/' run the front controller, never a folder's {Index}")]
    public static partial void DocumentRootNotVisible(ILogger logger, string clusterId, string documentRoot, string index);
}
