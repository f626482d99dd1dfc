using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace MaintProxy.Transport;

/// <summary>
/// A listening socket whose accept waits a moment when the process has no file descriptor left
/// (<c>EMFILE</c>, <c>ENFILE</c>) or the kernel no memory for one, as nginx does. Kestrel's own listener
/// retries such an accept at once, for ever: under a connection flood above the open-file limit it
/// spun a core, its memory grew by about 100 MB a second until the process died, and the admin
/// listener, whose accepts failed the same way, answered nothing. Paused, the connections wait in
/// the kernel's backlog and are taken as soon as descriptors are free again.
/// A public listener also leaves the last <see cref="AdminReserve"/> descriptors to the admin listener,
/// so that down.sh and up.sh are answered through a flood: Linux gives a new socket the lowest free
/// descriptor, so one numbered within the reserve means that only the reserve is left; it is closed
/// at once and the listener pauses as above.
/// </summary>
internal sealed class PacedSocketListener : IConnectionListener
{
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    public const int AdminReserve = 64;

    /// <summary>
    /// How long accepts must go without a failure before the listener says it accepts again. At the limit,
    /// each connection that closes lets one accept through before the next fails: without this, each
    /// such pair logged an error and a recovery, ten times a second for as long as the flood lasted.
    /// </summary>
    public static readonly TimeSpan QuietBeforeAcceptingAgain = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly SocketTransportOptions _options;
    private readonly SocketConnectionContextFactory _connections;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _firstReservedDescriptor;
    private long _failingSince;
    private long _lastFailure;
    private int _failedAccepts;

    private PacedSocketListener(Socket socket, SocketTransportOptions options, ILoggerFactory loggerFactory, TimeProvider time, long? openFileLimit)
    {
        _socket = socket;
        _firstReservedDescriptor = openFileLimit is { } limit ? limit - AdminReserve : long.MaxValue;
        _options = options;
        _time = time;
        _logger = loggerFactory.CreateLogger<PacedSocketListener>();
        _connections = new SocketConnectionContextFactory(
            new SocketConnectionFactoryOptions
            {
                IOQueueCount = options.IOQueueCount,
                WaitForDataBeforeAllocatingBuffer = options.WaitForDataBeforeAllocatingBuffer,
                MaxReadBufferSize = options.MaxReadBufferSize,
                MaxWriteBufferSize = options.MaxWriteBufferSize,
                UnsafePreferInlineScheduling = options.UnsafePreferInlineScheduling,
            },
            loggerFactory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        EndPoint = socket.LocalEndPoint!;
    }

    public EndPoint EndPoint { get; }

    /// <summary>Binds and listens; <paramref name="openFileLimit"/> is null for the admin listener, which may use the reserve.</summary>
    public static PacedSocketListener Bind(EndPoint endpoint, SocketTransportOptions options, ILoggerFactory loggerFactory, TimeProvider time, long? openFileLimit)
    {
        Socket socket;
        try
        {
            socket = options.CreateBoundListenSocket(endpoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException(ex.Message, ex);
        }
        catch (SocketException ex)
        {
            throw new IOException($"Failed to bind to address {endpoint}: {BindAdvice(ex)}", ex);
        }

        try
        {
            socket.Listen(options.Backlog);
            return new PacedSocketListener(socket, options, loggerFactory, time, openFileLimit);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string BindAdvice(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.AccessDenied =>
            "permission denied. A port below 1024 needs root or the capability CAP_NET_BIND_SERVICE (systemd: AmbientCapabilities=CAP_NET_BIND_SERVICE);"
            + " or choose a port above 1023 in Kestrel:Endpoints:<name>:Url, Admin:Url or DemoBackend:Url.",
        SocketError.AddressNotAvailable =>
            "the address is not one of this machine's. Give an address of one of its interfaces (or 0.0.0.0 / [::] for all of them)"
            + " in Kestrel:Endpoints:<name>:Url, Admin:Url or DemoBackend:Url.",
        _ => ex.Message + ".",
    };

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        // Ends with a connection, or with null once the socket is closed (unbind, drain); a failed
        // accept is a connection reset in the backlog (taken again at once) or a pause.
        while (true)
        {
            try
            {
                var accepted = await _socket.AcceptAsync(cancellationToken);
                if ((long)accepted.Handle >= _firstReservedDescriptor)
                {
                    accepted.Dispose();
                    await PauseAsync(SocketError.TooManyOpenSockets, cancellationToken);
                    continue;
                }

                if (_failedAccepts > 0 && _time.GetElapsedTime(_lastFailure) >= QuietBeforeAcceptingAgain)
                {
                    var failing = _time.GetElapsedTime(_failingSince, _lastFailure) + Pause;
                    TransportLog.AcceptingAgain(_logger, EndPoint, _failedAccepts, failing.TotalSeconds);
                    _failedAccepts = 0;
                }

                if (accepted.LocalEndPoint is IPEndPoint)
                {
                    accepted.NoDelay = _options.NoDelay;
                }

                return _connections.Create(accepted);
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.OperationAborted)
            {
                return null;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                await PauseAsync(ex.SocketErrorCode, cancellationToken);
            }
            catch (SocketException)
            {
                // The connection was reset while it waited in the backlog: take the next one.
            }
        }
    }

    private async Task PauseAsync(SocketError cause, CancellationToken cancellationToken)
    {
        _lastFailure = _time.GetTimestamp();
        if (_failedAccepts++ == 0)
        {
            _failingSince = _lastFailure;
            TransportLog.AcceptPaused(_logger, EndPoint, cause, AdminReserve, Pause.TotalMilliseconds);
        }

        await Task.Delay(Pause, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _connections.Dispose();
        return ValueTask.CompletedTask;
    }
}
