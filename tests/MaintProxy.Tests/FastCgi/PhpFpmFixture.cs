namespace MaintProxy.Tests.FastCgi;

/// <summary>One php-fpm (4 static workers) and one real proxy in front of it, shared by a test class.</summary>
public sealed class PhpFpmFixture() : PhpFpmProxyFixture(Workers, new Dictionary<string, string>
{
    ["ReverseProxy:Clusters:app:Metadata:FastCGI.Param.APP_ENV"] = "test",
    ["ReverseProxy:Clusters:app:HealthCheck:Active:Enabled"] = "true",
    // Probed at start-up, then rarely: a probe in the middle of a test would use a second connection.
    ["ReverseProxy:Clusters:app:HealthCheck:Active:Interval"] = "00:05:00",
    ["ReverseProxy:Clusters:app:HealthCheck:Active:Timeout"] = "00:00:02",
    ["ReverseProxy:Clusters:app:HealthCheck:Active:Path"] = "/ping",
    ["ReverseProxy:Clusters:app:HealthCheck:Active:Policy"] = "ConsecutiveFailures",
    // A route whose transforms change the path and the query.
    ["ReverseProxy:Routes:tagged:ClusterId"] = "app",
    ["ReverseProxy:Routes:tagged:Match:Path"] = "/tagged/{**rest}",
    ["ReverseProxy:Routes:tagged:Transforms:0:PathRemovePrefix"] = "/tagged",
    ["ReverseProxy:Routes:tagged:Transforms:1:QueryValueParameter"] = "from",
    ["ReverseProxy:Routes:tagged:Transforms:1:Append"] = "tagged",
    ["FastCgi:MaxBufferedRequestBodyBytes"] = BufferCap.ToString(System.Globalization.CultureInfo.InvariantCulture),
})
{
    public const int Workers = 4;
    public const long BufferCap = 4 * 1024 * 1024;
}
