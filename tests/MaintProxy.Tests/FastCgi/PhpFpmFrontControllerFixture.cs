namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// php-fpm and a real proxy whose cluster has a front controller (<c>/front.php</c>) and probes
/// php-fpm's ping page every 200 ms, shared by a test class.
/// </summary>
public sealed class PhpFpmFrontControllerFixture() : PhpFpmProxyFixture(2, new Dictionary<string, string>
{
    ["ReverseProxy:Clusters:app:Metadata:FastCGI.FrontController"] = "/front.php",
    ["ReverseProxy:Clusters:app:HealthCheck:Active:Enabled"] = "true",
    ["ReverseProxy:Clusters:app:HealthCheck:Active:Interval"] = "00:00:00.200",
    ["ReverseProxy:Clusters:app:HealthCheck:Active:Timeout"] = "00:00:02",
    ["ReverseProxy:Clusters:app:HealthCheck:Active:Path"] = "/ping",
    ["ReverseProxy:Clusters:app:HealthCheck:Active:Policy"] = "ConsecutiveFailures",
});
