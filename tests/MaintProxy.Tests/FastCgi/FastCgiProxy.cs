using System.Globalization;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>Starts the real proxy process with its <c>app</c> cluster speaking FastCGI to a peer.</summary>
internal static class FastCgiProxy
{
    public static Task<ProxyProcess> StartAsync(TempDirectory dir, FastCgiPeer peer, int maxConnections, TimeSpan activityTimeout,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        const string Cluster = "ReverseProxy:Clusters:app:";
        var settings = new Dictionary<string, string>
        {
            [Cluster + "Metadata:Transport"] = "FastCGI",
            [Cluster + "Metadata:FastCGI.DocumentRoot"] = peer.DocumentRoot,
            [Cluster + "HttpClient:MaxConnectionsPerServer"] = maxConnections.ToString(CultureInfo.InvariantCulture),
            [Cluster + "HttpRequest:ActivityTimeout"] = activityTimeout.ToString("c", CultureInfo.InvariantCulture),
            ["Serilog:MinimumLevel:Override:MaintProxy.FastCgi"] = "Debug",
            // Each active probe's answer and the destination's health state.
            ["Serilog:MinimumLevel:Override:Yarp.ReverseProxy.Health"] = "Information",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        var proxyDir = Directory.CreateDirectory(Path.Combine(dir.Path, "proxy")).FullName;
        return ProxyProcess.StartReadyAsync(proxyDir, peer.Address, settings);
    }

    /// <summary>The peak resident memory of a process so far (VmHWM), in bytes.</summary>
    public static long PeakResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kb = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kb * 1024;
    }
}
