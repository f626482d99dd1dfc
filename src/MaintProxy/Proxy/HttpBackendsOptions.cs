using System.ComponentModel.DataAnnotations;

namespace MaintProxy.Proxy;

/// <summary>The <c>HttpBackends</c> configuration section: settings shared by every cluster reached over HTTP.</summary>
public sealed class HttpBackendsOptions
{
    public const string SectionName = "HttpBackends";

    /// <summary>
    /// How long opening a connection to a destination may take before the request fails with 504. A
    /// host that is down drops the connection attempt rather than refusing it, and every client waits
    /// this long. YARP's own default.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
