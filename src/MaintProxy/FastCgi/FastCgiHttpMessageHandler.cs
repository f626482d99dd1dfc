using System.Collections.Concurrent;
using System.Net;
using MaintProxy.Maintenance;

namespace MaintProxy.FastCgi;

/// <summary>
/// Sends YARP's outgoing requests to FastCGI servers: one handler per cluster, one connection pool
/// per server endpoint, bounded by the cluster's <c>MaxConnectionsPerServer</c>.
/// </summary>
internal sealed class FastCgiHttpMessageHandler : HttpMessageHandler
{
    private readonly FastCgiOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MaintenanceGate? _maintenance;
    private readonly ConcurrentDictionary<string, FastCgiConnectionPool> _pools = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _socketPaths = new(StringComparer.Ordinal);
    private IReadOnlySet<string>? _destinationAddresses; // null until the cluster's destinations change
    private readonly Lock _poolsLock = new();
    private volatile bool _retired;

    public FastCgiHttpMessageHandler(FastCgiClusterSettings settings, int maxConnectionsPerServer, FastCgiOptions options,
        TimeProvider timeProvider, ILogger logger, MaintenanceGate? maintenance = null)
    {
        Settings = settings;
        MaxConnectionsPerServer = maxConnectionsPerServer;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _maintenance = maintenance;
    }

    public FastCgiClusterSettings Settings { get; }

    public int MaxConnectionsPerServer { get; }

    public bool IsRetired => _retired;

    /// <summary>The pool for a destination address, if a request has gone there.</summary>
    public FastCgiConnectionPool? FindPool(string address) => _pools.GetValueOrDefault(address);

    /// <summary>A new configuration replaced this handler: close idle connections now and busy ones when done.</summary>
    public void Retire()
    {
        _retired = true;
        foreach (var pool in _pools.Values)
        {
            pool.Retire();
        }
    }

    /// <summary>
    /// The cluster's destinations changed: the pools of addresses it no longer has close their idle
    /// connections now and busy ones when done, and are forgotten; a request still sent to such an address
    /// (it chose it before the change) closes its connection when done. Returns the addresses let go.
    /// </summary>
    public List<string> RetirePoolsExcept(IReadOnlySet<string> addresses)
    {
        var retired = new List<string>();
        lock (_poolsLock)
        {
            _destinationAddresses = addresses;
            foreach (var (address, pool) in _pools)
            {
                if (!addresses.Contains(address) && _pools.TryRemove(address, out _))
                {
                    pool.Retire();
                    retired.Add(address);
                }
            }
        }

        return retired;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        request.Options.TryGetValue(FastCgiRequestOptions.DestinationPrefix, out var prefix);
        if (!FastCgiEndpoint.TrySplit(uri, prefix, FindSocket, out var endpoint, out var escapedPath))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"'{uri}' names no reachable FastCGI server (fcgi://host:port or fcgi+unix:///path/to/socket)");
        }

        request.Options.TryGetValue(FastCgiRequestOptions.HttpContext, out var context);
        var body = await FastCgiRequestBody.PrepareAsync(request.Content, context?.Request.ContentLength == 0,
            _options.MaxBufferedRequestBodyBytes, _options.BufferRequestBodies, cancellationToken);
        var bodySent = Task.CompletedTask;
        try
        {
            if (body.TooLarge)
            {
                return Refuse(request, HttpStatusCode.RequestEntityTooLarge);
            }

            if (body.StorageError is { } storageError)
            {
                FastCgiLog.RequestBodyNotBuffered(_logger, Settings.ClusterId, storageError.Message);
                return Refuse(request, HttpStatusCode.InsufficientStorage);
            }

            var parameters = new List<KeyValuePair<string, string>>(48);
            if (!CgiParamsBuilder.TryBuild(Settings, request, escapedPath, body.ContentLength, parameters, out var refusal))
            {
                return Refuse(request, refusal);
            }

            if (MaintenanceAnswer(request, context) is { } maintenance)
            {
                return maintenance;
            }

            HttpResponseMessage response;
            (response, bodySent) = await SendOnPoolAsync(request, context, GetPool(endpoint), endpoint, parameters, body, cancellationToken);
            return response;
        }
        finally
        {
            // Every way out releases the body (a temporary file past 64 KiB): at once, or once it has gone to the server.
            if (body.IsEmpty || bodySent.IsCompleted)
            {
                body.Dispose();
            }
            else
            {
                _ = bodySent.ContinueWith(static (_, state) => ((FastCgiRequestBody)state!).Dispose(), body,
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Retire();
        }

        base.Dispose(disposing);
    }

    /// <summary>Sends the request on a pooled connection; <c>BodySent</c> completes once nothing reads the body any more.</summary>
    private async Task<(HttpResponseMessage Response, Task BodySent)> SendOnPoolAsync(HttpRequestMessage request, HttpContext? context,
        FastCgiConnectionPool pool, FastCgiEndpoint endpoint, List<KeyValuePair<string, string>> parameters, FastCgiRequestBody body,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            FastCgiConnection connection;
            bool reused;
            try
            {
                (connection, reused) = await pool.AcquireAsync(cancellationToken);
            }
            catch (FastCgiConnectionWaitCanceledException ex)
            {
                FastCgiLog.GaveUpWaitingForConnection(_logger, Settings.ClusterId, endpoint.Address, (long)ex.Waited.TotalMilliseconds, ex.MaxConnections);
                throw;
            }

            // It may have waited for a worker while maintenance began.
            if (attempt == 0 && MaintenanceAnswer(request, context) is { } maintenance)
            {
                pool.Release(connection, reusable: true);
                return (maintenance, Task.CompletedTask);
            }

            if (!reused)
            {
                FastCgiLog.ConnectionOpened(_logger, Settings.ClusterId, endpoint.Address);
            }

            var exchange = new FastCgiExchange(pool, connection, endpoint, Settings, _logger,
                _options.MaxBufferedResponseBodyBytes > 0 ? _options.MaxBufferedResponseBodyBytes : -1);
            try
            {
                var response = await exchange.SendAsync(request, parameters, body, cancellationToken);
                return (response, exchange.StdinDone);
            }
            catch (Exception ex)
            {
                exchange.Abort();
                if (ex is FastCgiParamsTooLargeException)
                {
                    return (Refuse(request, HttpStatusCode.RequestHeaderFieldsTooLarge), Task.CompletedTask);
                }

                if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                // A reused connection that closed with no answer was either closed by the server just
                // before the request went (php-fpm after pm.max_requests; the pool checks for that when
                // it hands a connection out, which makes it rare) or lost its worker while the script
                // ran (request_terminate_timeout, a crash). Only a request that may run twice can go again.
                if (reused && attempt == 0 && connection.Reader.BytesReceived == 0)
                {
                    if (!IsIdempotent(request.Method))
                    {
                        FastCgiLog.NotSendingAgain(_logger, Settings.ClusterId, endpoint.Address, request.Method.Method);
                    }
                    else if (body.CanReplay)
                    {
                        FastCgiLog.SendingAgain(_logger, Settings.ClusterId, endpoint.Address, request.Method.Method, ex);
                        await exchange.StdinDone;
                        continue;
                    }
                }

                throw ex as HttpRequestException ?? new HttpRequestException(
                    ex is FastCgiProtocolException ? HttpRequestError.InvalidResponse : HttpRequestError.Unknown,
                    $"FastCGI request to {endpoint.Address} failed: {ex.Message}", ex);
            }
        }
    }

    private FastCgiConnectionPool GetPool(FastCgiEndpoint endpoint)
    {
        if (_pools.TryGetValue(endpoint.Address, out var pool))
        {
            return pool;
        }

        lock (_poolsLock)
        {
            if (!_pools.TryGetValue(endpoint.Address, out pool))
            {
                pool = new FastCgiConnectionPool(MaxConnectionsPerServer, _options.PooledConnectionIdleTimeout, _timeProvider,
                    token => FastCgiConnection.ConnectAsync(endpoint, _options.ConnectTimeout, token));
                if (_retired || _destinationAddresses?.Contains(endpoint.Address) == false)
                {
                    // A request that chose this destination before it was removed (its body was being read):
                    // served, then its connection closes; the pool is not kept.
                    pool.Retire();
                    return pool;
                }

                _pools[endpoint.Address] = pool;
            }

            return pool;
        }
    }

    /// <summary>For Unix sockets without a known destination prefix (health probes): the longest path prefix that is a socket file.</summary>
    private string? FindSocket(string escapedPath)
    {
        foreach (var known in _socketPaths.Keys)
        {
            if (escapedPath.StartsWith(known, StringComparison.Ordinal)
                && (escapedPath.Length == known.Length || escapedPath[known.Length] == '/'))
            {
                return known;
            }
        }

        for (var end = escapedPath.Length; end > 0; end = escapedPath.LastIndexOf('/', end - 1))
        {
            var candidate = escapedPath[..end];
            var path = Uri.UnescapeDataString(candidate);
            if (File.Exists(path))
            {
                _socketPaths.TryAdd(candidate, true);
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// The request was admitted before its body was buffered or a worker was free: if maintenance began
    /// meanwhile, it gets the maintenance answer instead of reaching the server after the switch.
    /// </summary>
    private HttpResponseMessage? MaintenanceAnswer(HttpRequestMessage request, HttpContext? context)
    {
        if (_maintenance is null || context is null || _maintenance.AnswerIfNowInMaintenance(context) is not { } answer)
        {
            return null;
        }

        answer.RequestMessage = request;
        return answer;
    }

    /// <summary>RFC 9110 §9.2.2: running the request twice has the effect of running it once.</summary>
    private static bool IsIdempotent(HttpMethod method) =>
        method.Method is "GET" or "HEAD" or "OPTIONS" or "TRACE" or "PUT" or "DELETE";

    private static HttpResponseMessage Refuse(HttpRequestMessage request, HttpStatusCode status) =>
        new(status) { RequestMessage = request, Content = new ByteArrayContent([]) };
}
