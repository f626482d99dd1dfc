namespace MaintProxy.FastCgi;

/// <summary>The client YARP holds for a FastCGI cluster; it lets the factory find the handler again on reload.</summary>
internal sealed class FastCgiInvoker(FastCgiHttpMessageHandler handler) : HttpMessageInvoker(handler, disposeHandler: true)
{
    public FastCgiHttpMessageHandler Handler { get; } = handler;
}
