using Yarp.ReverseProxy.Forwarder;

namespace MaintProxy.Proxy;

/// <summary>Marks a backend answer whose status no client can read as the backend's failure, as YARP marks its own.</summary>
internal sealed class UnreadableStatusError : IForwarderErrorFeature
{
    public ForwarderError Error => ForwarderError.ResponseHeaders;

    public Exception? Exception => null;
}
