using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// YARP's configuration reader, with <see cref="ClusterSettingsValues"/> checked before it reads: a value
/// it cannot convert stops the start naming the key.
/// </summary>
internal sealed class ValueCheckingConfigProvider(IProxyConfigProvider reader, IConfiguration reverseProxy) : IProxyConfigProvider, IDisposable
{
    public IProxyConfig GetConfig()
    {
        ClusterSettingsValues.Check(reverseProxy);
        return reader.GetConfig();
    }

    public void Dispose() => (reader as IDisposable)?.Dispose();
}
