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
    private FileStamp _lastStamp = new(false, -1, default);

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
            try
            {
                var content = File.ReadAllBytes(PagePath);
                _content = content;
                MaintenanceLog.PageLoaded(_logger, PagePath, content.Length);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A page that was loaded once stays in use while the file is being replaced or
                // briefly unreadable; only a page that never loaded falls back.
                if (!stamp.Exists)
                {
                    _content = BuiltInPage.Html;
                }

                MaintenanceLog.PageFallback(_logger, PagePath, ex.Message);
            }
        }
    }
}
