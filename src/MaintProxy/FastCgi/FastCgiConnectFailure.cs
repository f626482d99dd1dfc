using System.Net.Sockets;

namespace MaintProxy.FastCgi;

/// <summary>Says why a connect to a FastCGI server failed, and what to check, in the words an operator looks for.</summary>
internal static class FastCgiConnectFailure
{
    public static string Describe(SocketException ex, FastCgiEndpoint endpoint) => (ex.SocketErrorCode, endpoint.IsUnixSocket) switch
    {
        // .NET reports a Unix socket path that does not exist (ENOENT) as "Cannot assign requested address".
        (SocketError.AddressNotAvailable, true) =>
            "no socket file at that path (No such file or directory); is the FastCGI server running, and is its listen setting this path?",
        (SocketError.AccessDenied, true) =>
            "permission denied on the socket file; the proxy's user needs write access to it (php-fpm's listen.owner, listen.group, listen.mode)",
        (SocketError.ConnectionRefused, true) =>
            "connection refused: nothing listens on the socket file (the FastCGI server is stopped or restarting, or the file is not its socket)",
        // A Unix socket's listen queue that is full refuses at once (EAGAIN) instead of waiting.
        (SocketError.WouldBlock, true) =>
            "the socket's listen queue is full (Resource temporarily unavailable): every worker is busy and listen.backlog is reached; keep the cluster's MaxConnectionsPerServer at pm.max_children so that requests wait in the proxy instead",
        // ENOTDIR and ELOOP have no SocketError of their own: .NET says only "Unknown socket error".
        (SocketError.SocketError, true) => UnreachablePath(endpoint) ?? ex.Message,
        (SocketError.ConnectionRefused, false) =>
            "connection refused: nothing listens at that address (the FastCGI server is stopped or restarting, or listens elsewhere)",
        _ => ex.Message,
    };

    // Only after a failed connect: the file system's own words for what is wrong with the socket's path.
    private static string? UnreachablePath(FastCgiEndpoint endpoint)
    {
        try
        {
            File.GetAttributes(endpoint.EndPoint.ToString()!);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"the socket path cannot be followed ({ex.Message}): a folder on it is a file, or a symbolic link on it loops; is the cluster's address the FastCGI server's listen setting?";
        }
    }
}
