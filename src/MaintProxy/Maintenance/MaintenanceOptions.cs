using System.ComponentModel.DataAnnotations;

namespace MaintProxy.Maintenance;

/// <summary>The <c>Maintenance</c> configuration section.</summary>
public sealed class MaintenanceOptions
{
    public const string SectionName = "Maintenance";

    /// <summary>The file whose presence means "down". Relative paths start at the working directory.</summary>
    [Required]
    public string SentinelPath { get; set; } = "maint/down";

    /// <summary>The page served with every maintenance 503. Relative paths start at the working directory.</summary>
    [Required]
    public string PagePath { get; set; } = "maint/maint.html";

    /// <summary>The status code of maintenance answers.</summary>
    [Range(400, 599)]
    public int StatusCode { get; set; } = 503;

    /// <summary>The <c>Retry-After</c> value, in seconds, when the sentinel names none.</summary>
    [Range(0, 7 * 24 * 3600)]
    public int RetryAfterSeconds { get; set; } = 300;

    /// <summary>
    /// How often the sentinel and the page are checked besides file system notifications,
    /// for file systems that send none.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan FilePollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Path prefixes that are always forwarded, even in maintenance (e.g. a backend health check).</summary>
    public string[] AllowedPathPrefixes { get; set; } = [];

    /// <summary>Regular expressions on the request path that are always forwarded, even in maintenance.</summary>
    public string[] AllowedPathPatterns { get; set; } = [];

    /// <summary>
    /// Addresses or CIDR networks of proxies in front of MaintProxy whose <c>X-Forwarded-For</c> is
    /// believed when deciding whether a client may bypass. Empty: the socket's peer is the client.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>How long a bypass cookie, earned with the secret, lets a browser through.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan BypassCookieLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Origins (<c>https://app.example</c>) whose pages may read maintenance answers across origins, or
    /// <c>*</c> for any (without credentials). Empty: no CORS headers, and browsers hide the answer from
    /// scripts on other origins.
    /// </summary>
    public string[] CorsAllowedOrigins { get; set; } = [];

    /// <summary>The proxy's own liveness path, answered 200 even in maintenance; empty turns it off.</summary>
    [Required(AllowEmptyStrings = true)]
    public string HealthPath { get; set; } = "/healthz";
}
