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

    /// <summary>The <c>Retry-After</c> value, in seconds, when the sentinel names none.</summary>
    [Range(0, 7 * 24 * 3600)]
    public int RetryAfterSeconds { get; set; } = 300;

    /// <summary>
    /// How often the sentinel and the page are checked besides file system notifications,
    /// for file systems that send none.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan FilePollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
