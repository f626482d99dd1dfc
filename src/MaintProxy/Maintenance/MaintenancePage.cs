using MaintProxy.Files;
using Microsoft.Extensions.Options;

namespace MaintProxy.Maintenance;

/// <summary>
/// The maintenance page as bytes, read once and again only when the file changes. A missing or
/// unreadable file gives the built-in page and a warning; it never fails a request.
/// </summary>
internal sealed class MaintenancePage
{
    private readonly Lock _reloadLock = new();
    private readonly ILogger<MaintenancePage> _logger;
    private volatile byte[] _content = BuiltInPage.Html;
    // Rendered once per maintenance window and held in memory: a page is a few kilobytes.
    private const int MaxPageBytes = 1024 * 1024;

    private const string NoSuchFile = "no such file";

    private FileStamp _lastStamp = new(false, -1, default);

    // Whether the file was ever loaded (the built-in page until then).
    private bool _loaded;

    // The problem last logged, until a page loads again: a watcher that cannot watch the page's folder
    // (no read access) reports that as a change, and each down.sh reloads; neither is news.
    private string? _lastProblem;

    public MaintenancePage(IOptions<MaintenanceOptions> options, ILogger<MaintenancePage> logger)
    {
        _logger = logger;
        PagePath = Path.GetFullPath(options.Value.PagePath);
        Reload(force: true);
    }

    public string PagePath { get; }

    /// <summary>The bytes to send; replaced whole on reload.</summary>
    public byte[] Content => _content;

    public void Reload(bool force)
    {
        lock (_reloadLock)
        {
            var stamp = FileStamp.Of(PagePath);
            if (!force && stamp == _lastStamp)
            {
                return;
            }

            _lastStamp = stamp;
            if (!stamp.Exists)
            {
                _content = BuiltInPage.Html;
                if (IsNew(NoSuchFile))
                {
                    MaintenanceLog.PageFallback(_logger, PagePath, NoSuchFile);
                }

                return;
            }

            // A page that was loaded stays in use while the file cannot be read, or is being written
            // (copied over in place, it is empty for a moment; a rename replaces it at once).
            var problem = stamp.IsUnreachable ? UnreachableProblem.Describe(PagePath)
                : stamp.IsFolder ? "it is a folder, not a file"
                : stamp.Length == 0 ? "it is empty"
                : stamp.Length > MaxPageBytes ? $"{stamp.Length} bytes, more than the {MaxPageBytes} a page may have"
                : null;
            if (problem is null)
            {
                try
                {
                    var content = File.ReadAllBytes(PagePath);
                    if (content.Length > 0)
                    {
                        // Each down.sh and up.sh re-reads the page (POST /refresh): the same bytes again are no news.
                        var news = !_loaded || _lastProblem is not null || !content.AsSpan().SequenceEqual(_content);
                        _loaded = true;
                        _lastProblem = null;
                        if (news)
                        {
                            _content = content;
                            MaintenanceLog.PageLoaded(_logger, PagePath, content.Length);
                        }

                        return;
                    }

                    problem = "it is empty";
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    problem = ex.Message;
                }
            }

            if (IsNew(problem))
            {
                MaintenanceLog.PageNotLoaded(_logger, PagePath, problem, ReferenceEquals(_content, BuiltInPage.Html) ? "the built-in page" : "the page loaded before");
            }
        }
    }

    private bool IsNew(string problem)
    {
        if (string.Equals(problem, _lastProblem, StringComparison.Ordinal))
        {
            return false;
        }

        _lastProblem = problem;
        return true;
    }
}
