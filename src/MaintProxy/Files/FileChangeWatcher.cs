namespace MaintProxy.Files;

/// <summary>
/// Calls back when a file may have changed: a file system watcher on the file's directory for
/// prompt notice, plus a periodic check for file systems that send no notifications (NFS, some
/// container mounts). The callback decides whether anything really changed.
/// </summary>
internal sealed class FileChangeWatcher : IDisposable
{
    private readonly string _path;
    private readonly Action<FileChangeKind> _onChange;
    private readonly ITimer _pollTimer;
    private FileSystemWatcher? _watcher;

    public FileChangeWatcher(string path, TimeSpan pollInterval, TimeProvider timeProvider, Action<FileChangeKind> onChange)
    {
        _path = path;
        _onChange = onChange;
        _watcher = TryWatchDirectory();
        _pollTimer = timeProvider.CreateTimer(_ => Poll(), null, pollInterval, pollInterval);
    }

    private void Poll()
    {
        // A directory created after start-up (or re-created) gets its watcher here.
        _watcher ??= TryWatchDirectory();
        _onChange(FileChangeKind.Poll);
    }

    private FileSystemWatcher? TryWatchDirectory()
    {
        var directory = Path.GetDirectoryName(_path);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            return null;
        }

        var watcher = new FileSystemWatcher(directory, Path.GetFileName(_path))
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        FileSystemEventHandler changed = (_, _) => _onChange(FileChangeKind.Notified);
        watcher.Created += changed;
        watcher.Changed += changed;
        watcher.Deleted += changed;
        watcher.Renamed += (_, _) => _onChange(FileChangeKind.Notified);
        watcher.Error += (_, _) => _onChange(FileChangeKind.Notified);
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    public void Dispose()
    {
        _pollTimer.Dispose();
        _watcher?.Dispose();
    }
}
