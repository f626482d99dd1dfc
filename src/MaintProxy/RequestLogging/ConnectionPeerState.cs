using System.Net;

namespace MaintProxy.RequestLogging;

/// <summary>A connection's client, and the status of the last client-error the request log gave one of its requests (0: none).</summary>
internal sealed class ConnectionPeerState(EndPoint? remoteEndPoint)
{
    public int ClientErrorStatusLogged;

    public EndPoint? RemoteEndPoint { get; } = remoteEndPoint;
}
