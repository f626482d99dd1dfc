using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace MaintProxy.FastCgi;

/// <summary>
/// One request on one connection: sends it, reads the records that come back, and gives the
/// connection back to its pool exactly once, for reuse only after a clean END_REQUEST.
/// </summary>
internal sealed class FastCgiExchange
{
    private const int FirstReadSize = 8 * 1024;

    private readonly FastCgiConnectionPool _pool;
    private readonly FastCgiConnection _connection;
    private readonly FastCgiEndpoint _endpoint;
    private readonly FastCgiClusterSettings _settings;
    private readonly ILogger _logger;
    private readonly long _responseSpoolFileCap;
    private FastCgiStderrLines? _stderr;
    private Task _stdin = Task.CompletedTask;
    private volatile bool _stdinSent;
    private int _remaining;
    private int _padding;
    private bool _ended;
    private int _released;

    public FastCgiExchange(FastCgiConnectionPool pool, FastCgiConnection connection, FastCgiEndpoint endpoint,
        FastCgiClusterSettings settings, ILogger logger, long responseSpoolFileCap)
    {
        _responseSpoolFileCap = responseSpoolFileCap;
        _pool = pool;
        _connection = connection;
        _endpoint = endpoint;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>Completes when the body has been sent, or sending it failed; it never faults.</summary>
    public Task StdinDone => _stdin;

    /// <summary>Sends BEGIN_REQUEST, PARAMS and STDIN, and returns once the CGI headers have arrived.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, IReadOnlyList<KeyValuePair<string, string>> parameters,
        FastCgiRequestBody body, CancellationToken cancellationToken)
    {
        _connection.RequestCount++;
        _connection.Reader.ResetCounter();
        var buffer = _connection.WriteBuffer;
        buffer.Clear();
        FastCgiRequestEncoder.WriteBeginRequest(buffer, _settings.KeepConn);
        FastCgiRequestEncoder.WriteParams(buffer, parameters);
        if (body.IsEmpty)
        {
            FastCgiRequestEncoder.WriteEmptyRecord(buffer, FastCgiRecordType.Stdin);
            _stdinSent = true;
        }

        await _connection.Stream.WriteAsync(buffer.Written, cancellationToken);
        if (!body.IsEmpty)
        {
            _stdin = WriteStdinAsync(body, cancellationToken);
        }

        var chunk = ArrayPool<byte>.Shared.Rent(FirstReadSize);
        try
        {
            var parser = new CgiResponseHeaderParser();
            while (true)
            {
                var read = await ReadStdoutAsync(chunk, cancellationToken);
                if (read == 0)
                {
                    throw new FastCgiProtocolException("the FastCGI application ended the request before the end of the CGI headers");
                }

                if (parser.TryAdd(chunk.AsSpan(0, read), out var consumed, out var head))
                {
                    var responseBody = new FastCgiResponseStream(this, chunk, consumed, read, BodyLength(request.Method, head),
                        WantsBackpressure(head) ? -1 : _responseSpoolFileCap);
                    var response = CreateResponse(request, head, responseBody);
                    chunk = null;
                    return response;
                }
            }
        }
        finally
        {
            if (chunk is not null)
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
    }

    /// <summary>Reads STDOUT content: at least one byte, or 0 once END_REQUEST has arrived. STDERR is logged on the way.</summary>
    public async ValueTask<int> ReadStdoutAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var reader = _connection.Reader;
        while (_remaining == 0)
        {
            if (_ended)
            {
                return 0;
            }

            if (_padding > 0)
            {
                await reader.SkipAsync(_padding, cancellationToken);
                _padding = 0;
            }

            var header = await reader.ReadHeaderAsync(cancellationToken);
            if (header.RequestId != FastCgiProtocol.RequestId)
            {
                if (header.RequestId == 0)
                {
                    // A management record (e.g. UNKNOWN_TYPE): nothing this request needs.
                    await reader.SkipAsync(header.ContentLength + header.PaddingLength, cancellationToken);
                    continue;
                }

                throw new FastCgiProtocolException($"a record for request id {header.RequestId} arrived on a connection carrying request id {FastCgiProtocol.RequestId}");
            }

            switch (header.Type)
            {
                case FastCgiRecordType.Stdout:
                    _remaining = header.ContentLength;
                    _padding = header.PaddingLength;
                    break;
                case FastCgiRecordType.Stderr:
                    await ReadStderrAsync(header, cancellationToken);
                    break;
                case FastCgiRecordType.EndRequest:
                    await ReadEndRequestAsync(header, cancellationToken);
                    return 0;
                default:
                    throw new FastCgiProtocolException($"unexpected FastCGI record type {(int)header.Type} in a response");
            }
        }

        var count = await reader.ReadSomeAsync(destination[..Math.Min(destination.Length, _remaining)], cancellationToken);
        _remaining -= count;
        return count;
    }

    /// <summary>The response is complete: the connection goes back for reuse if everything about it is clean.</summary>
    public void Complete()
    {
        var reusable = _ended
            && _settings.KeepConn
            && _stdinSent
            && !_connection.Reader.HasBufferedData;
        Release(reusable);
    }

    /// <summary>The response spool's temporary file failed (a full disk): the rest of this response streams with backpressure.</summary>
    public void SpoolFileFailed(Exception exception) =>
        FastCgiLog.ResponseSpoolFileFailed(_logger, _settings.ClusterId, _endpoint.Address, exception.Message);

    /// <summary>Something went wrong or the client left: the connection is closed, never reused.</summary>
    public void Abort() => Release(reusable: false);

    private void Release(bool reusable)
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        _stderr?.Flush();
        if (!reusable && _settings.KeepConn)
        {
            FastCgiLog.Aborted(_logger, _settings.ClusterId, _endpoint.Address);
        }

        _pool.Release(_connection, reusable);
    }

    private async Task WriteStdinAsync(FastCgiRequestBody body, CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var stdin = new FastCgiStdinStream(_connection.Stream);
        try
        {
            await body.CopyToAsync(stdin, cancellationToken);
            if (stdin.Error is null)
            {
                await stdin.WriteEndAsync(cancellationToken);
                _stdinSent = true;
                return;
            }
        }
        catch (Exception)
        {
            // Reported through the response: the connection closes below, so the reader fails too,
            // and the forwarder reads the client-side cause from the body copy's own result.
        }

        _connection.Dispose();
    }

    private async ValueTask ReadStderrAsync(FastCgiRecordHeader header, CancellationToken cancellationToken)
    {
        var content = ArrayPool<byte>.Shared.Rent(Math.Max(header.ContentLength, 1));
        try
        {
            await _connection.Reader.ReadExactlyAsync(content.AsMemory(0, header.ContentLength), cancellationToken);
            await _connection.Reader.SkipAsync(header.PaddingLength, cancellationToken);
            _stderr ??= new FastCgiStderrLines(line => FastCgiLog.Stderr(_logger, _settings.ClusterId, _endpoint.Address, line));
            _stderr.Add(content.AsSpan(0, header.ContentLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(content);
        }
    }

    private async ValueTask ReadEndRequestAsync(FastCgiRecordHeader header, CancellationToken cancellationToken)
    {
        if (header.ContentLength < 8)
        {
            throw new FastCgiProtocolException($"END_REQUEST with {header.ContentLength} bytes of content; 8 expected");
        }

        var body = new byte[8];
        await _connection.Reader.ReadExactlyAsync(body, cancellationToken);
        await _connection.Reader.SkipAsync(header.ContentLength - 8 + header.PaddingLength, cancellationToken);
        _ended = true;
        var protocolStatus = body[4];
        if (protocolStatus != FastCgiProtocol.RequestComplete)
        {
            var meaning = protocolStatus switch
            {
                1 => "cannot multiplex connections",
                2 => "overloaded",
                3 => "unknown role",
                _ => "unknown status",
            };
            throw new FastCgiProtocolException(
                $"the FastCGI application refused the request: protocol status {protocolStatus} ({meaning}), application status {BinaryPrimitives.ReadUInt32BigEndian(body)}");
        }
    }

    /// <summary>
    /// How many bytes of the script's output the client gets: none for the answers that end with their
    /// headers (RFC 9110 §6.4.1), whatever the script wrote after them; what its Content-Length announced;
    /// else all of it (-1).
    /// </summary>
    private static long BodyLength(HttpMethod method, FastCgiResponseHead head)
    {
        if (head.StatusCode is 204 or 304 || method == HttpMethod.Head)
        {
            return 0;
        }

        var headers = head.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            if (string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                return length;
            }
        }

        return -1;
    }

    /// <summary>
    /// nginx's convention: a script that streams (server-sent events, a long poll) and wants to feel the
    /// client's pace sends <c>X-Accel-Buffering: no</c>; the header itself is not passed on, as with nginx.
    /// </summary>
    private static bool WantsBackpressure(FastCgiResponseHead head)
    {
        var headers = head.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            if (IsBufferingHeader(headers[i].Key) && string.Equals(headers[i].Value.Trim(), "no", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsBufferingHeader(string name) => string.Equals(name, "X-Accel-Buffering", StringComparison.OrdinalIgnoreCase);

    private static HttpResponseMessage CreateResponse(HttpRequestMessage request, FastCgiResponseHead head, FastCgiResponseStream body)
    {
        var content = new FastCgiResponseContent(body);
        var response = new HttpResponseMessage((HttpStatusCode)head.StatusCode)
        {
            RequestMessage = request,
            Version = HttpVersion.Version11,
            Content = content,
        };
        if (head.ReasonPhrase is not null)
        {
            response.ReasonPhrase = head.ReasonPhrase;
        }

        foreach (var (name, value) in head.Headers)
        {
            if (string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, "Connection", StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, "Keep-Alive", StringComparison.OrdinalIgnoreCase)
                || IsBufferingHeader(name))
            {
                continue;
            }

            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return response;
    }
}
