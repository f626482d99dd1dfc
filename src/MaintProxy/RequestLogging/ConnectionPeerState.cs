using System.Net;

namespace MaintProxy.RequestLogging;

/// <summary>
/// A connection's client, the status of the last client-error the request log gave one of its requests
/// (0: none), and whether a request logged on it came with a body (1) that Kestrel may still refuse.
/// </summary>
internal sealed class ConnectionPeerState(EndPoint? remoteEndPoint)
{
    public int ClientErrorStatusLogged;

    public int RequestWithBodyLogged;

    public EndPoint? RemoteEndPoint { get; } = remoteEndPoint;
}
