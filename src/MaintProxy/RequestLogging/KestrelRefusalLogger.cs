using System.Net;
using System.Net.Sockets;

namespace MaintProxy.RequestLogging;

/// <summary>Kestrel's <c>BadRequests</c> category, read for one event: a request it refused.</summary>
internal sealed class KestrelRefusalLogger(Lazy<ILogger> requestLog) : ILogger
{
    // Kestrel's event "ConnectionBadRequest" (its KestrelTrace), logged once for each request it refuses,
    // with the connection's id as "ConnectionId".
    private const int ConnectionBadRequestEventId = 17;
    private const string ConnectionIdKey = "ConnectionId";

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug && requestLog.Value.IsEnabled(LogLevel.Information);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id != ConnectionBadRequestEventId || exception is not BadHttpRequestException refusal)
        {
            return;
        }

        var connectionId = ValueIn(state, ConnectionIdKey);
        if (connectionId is not null && ConnectionPeer.IsAlreadyLogged(connectionId, refusal.StatusCode, KestrelRefusalReason.IsOfBody(refusal)))
        {
            return;
        }

        Refused(connectionId, refusal.StatusCode, KestrelRefusalReason.Of(refusal));
    }

    private void Refused(string? connectionId, int statusCode, string reason)
    {
        var client = connectionId is null ? null : ConnectionPeer.RemoteEndPointOf(connectionId);
        RequestLog.Refused(requestLog.Value, "-", "-", statusCode, RequestOutcome.Refused, reason, AddressOf(client));
    }

    private static string? ValueIn<TState>(TState state, string name)
    {
        if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            foreach (var (key, value) in values)
            {
                if (key == name)
                {
                    return value?.ToString();
                }
            }
        }

        return null;
    }

    private static string AddressOf(EndPoint? client) => client switch
    {
        IPEndPoint { Address: var address } => (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString(),
        // A Unix socket's client has no name: nginx's $remote_addr says "unix:" for it.
        UnixDomainSocketEndPoint => "unix:",
        null => "-",
        _ => client.ToString() ?? "-",
    };
}
