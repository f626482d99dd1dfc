using System.ComponentModel.DataAnnotations;

namespace MaintProxy.FastCgi;

/// <summary>The <c>FastCgi</c> configuration section: settings shared by every FastCGI cluster.</summary>
public sealed class FastCgiOptions
{
    public const string SectionName = "FastCgi";

    /// <summary>
    /// The largest request body without Content-Length that is buffered (CGI needs the length up
    /// front); larger ones are answered 413. Beyond 1 MiB the buffer is a temporary file.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxBufferedRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long opening a connection may take before the request fails with 502.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Idle pooled connections older than this are closed, freeing the server's workers.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PooledConnectionIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
