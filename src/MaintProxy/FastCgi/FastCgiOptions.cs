using System.ComponentModel.DataAnnotations;

namespace MaintProxy.FastCgi;

/// <summary>The <c>FastCgi</c> configuration section: settings shared by every FastCGI cluster.</summary>
public sealed class FastCgiOptions
{
    public const string SectionName = "FastCgi";

    /// <summary>
    /// Read every request body whole before a connection to the FastCGI server is taken, so a slow
    /// upload holds none of its few workers (nginx's <c>fastcgi_request_buffering</c>, on by default
    /// there too). When off, a body with Content-Length is streamed to the server as it arrives.
    /// </summary>
    public bool BufferRequestBodies { get; set; } = true;

    /// <summary>
    /// The largest request body that is buffered: every body while <see cref="BufferRequestBodies"/> is
    /// on, else those without Content-Length (CGI needs the length up front). Larger ones are answered
    /// 413. Beyond 64 KiB the buffer is a temporary file.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxBufferedRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// How much of a response body is held for a client that reads slower than the application writes:
    /// the first 64 KiB in memory, the rest in a temporary file in <c>TMPDIR</c> that grows to at most this
    /// size (nginx's <c>fastcgi_max_temp_file_size</c>, 1 GiB there too). The server's worker is freed as
    /// soon as it has sent everything; past this size the rest goes at the client's pace, holding the
    /// worker. 0 turns the spool off: every response is sent at the client's pace.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxBufferedResponseBodyBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>How long opening a connection may take before the request fails with 502.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Idle pooled connections older than this are closed, freeing the server's workers.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PooledConnectionIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
