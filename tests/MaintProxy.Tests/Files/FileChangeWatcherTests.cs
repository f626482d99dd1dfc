using System.Collections.Concurrent;
using MaintProxy.Files;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Files;

/// <summary>The watcher behind the sentinel and the page, on real files: notified promptly, polled always.</summary>
public sealed class FileChangeWatcherTests : IDisposable
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);

    private readonly TempDirectory _dir = new();
    private readonly ConcurrentQueue<FileChangeKind> _calls = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task FileCreatedChangedDeleted_IsNotifiedLongBeforeThePoll()
    {
        var path = _dir.File("down");
        using var watcher = new FileChangeWatcher(path, TimeSpan.FromHours(1), TimeProvider.System, _calls.Enqueue);

        foreach (var change in (Action[])[() => File.WriteAllText(path, "a"), () => File.AppendAllText(path, "b"), () => File.Delete(path)])
        {
            _calls.Clear();
            change();
            Assert.True(await Eventually.TrueAsync(() => _calls.Contains(FileChangeKind.Notified), Prompt), "no notification");
        }

        Assert.DoesNotContain(FileChangeKind.Poll, _calls);
    }

    [Fact]
    public async Task ReplacedByRename_AsDownShWritesIt_IsNotified()
    {
        var path = _dir.File("down");
        using var watcher = new FileChangeWatcher(path, TimeSpan.FromHours(1), TimeProvider.System, _calls.Enqueue);

        var temporary = _dir.File("down.tmp");
        await File.WriteAllTextAsync(temporary, "window");
        File.Move(temporary, path, overwrite: true);

        Assert.True(await Eventually.TrueAsync(() => _calls.Contains(FileChangeKind.Notified), Prompt), "no notification");
    }

    [Fact]
    public async Task DirectoryMissingAtStart_IsPolled_AndWatchedOnceItAppears()
    {
        var directory = _dir.File("maint");
        var path = Path.Combine(directory, "down");
        using var watcher = new FileChangeWatcher(path, TimeSpan.FromMilliseconds(50), TimeProvider.System, _calls.Enqueue);

        Assert.True(await Eventually.TrueAsync(() => _calls.Count(kind => kind == FileChangeKind.Poll) >= 2, Prompt), "not polled");
        Directory.CreateDirectory(directory);
        Assert.True(await Eventually.TrueAsync(() => _calls.Count(kind => kind == FileChangeKind.Poll) >= 4, Prompt), "not polled");
        await File.WriteAllTextAsync(path, "window");

        Assert.True(await Eventually.TrueAsync(() => _calls.Contains(FileChangeKind.Notified), Prompt), "the directory that appeared is not watched");
    }

    [Fact]
    public async Task Disposed_CallsBackNoMore()
    {
        var path = _dir.File("down");
        var watcher = new FileChangeWatcher(path, TimeSpan.FromMilliseconds(20), TimeProvider.System, _calls.Enqueue);
        Assert.True(await Eventually.TrueAsync(() => !_calls.IsEmpty, Prompt), "not polled");

        watcher.Dispose();
        await Task.Delay(100); // a callback already running may still finish
        _calls.Clear();
        await File.WriteAllTextAsync(path, "window");
        await Task.Delay(300);

        Assert.Empty(_calls);
    }
}
