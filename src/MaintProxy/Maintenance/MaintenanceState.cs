using System.Security.Cryptography;
using MaintProxy.Files;
using Microsoft.Extensions.Options;

namespace MaintProxy.Maintenance;

/// <summary>
/// Holds the current <see cref="MaintenanceSnapshot"/> and rebuilds it from the sentinel file.
/// The first read happens in the constructor, before the server listens, so a proxy started while
/// the sentinel exists answers its very first request with the maintenance page.
/// </summary>
internal sealed class MaintenanceState
{
    private readonly Lock _refreshLock = new();
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<MaintenanceState> _logger;
    private volatile MaintenanceSnapshot _current = MaintenanceSnapshot.Up;
    // A few windows take a few hundred bytes; a file far larger is a mistake, and would be held in memory.
    private const int MaxSentinelBytes = 1024 * 1024;

    private FileStamp _lastStamp = FileStamp.Missing;
    private volatile bool _readSentinelForEachDecision;

    public MaintenanceState(IOptions<MaintenanceOptions> options, TimeProvider timeProvider, ILogger<MaintenanceState> logger)
    {
        _timeProvider = timeProvider;
        _logger = logger;
        WorkingDirectory = Environment.CurrentDirectory;
        SentinelPath = Path.GetFullPath(options.Value.SentinelPath);
        LogWhereTheSentinelIs(options.Value.SentinelPath);
        Refresh(force: true);
    }

    /// <summary>The sentinel's absolute path.</summary>
    public string SentinelPath { get; }

    /// <summary>The folder the proxy was started in, where its relative paths start.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The state the request path applies: one volatile read.</summary>
    public MaintenanceSnapshot Current => _current;

    /// <summary>
    /// The state a request is decided by: <see cref="Current"/>, one volatile read, until
    /// <see cref="ReadSentinelForEachDecision"/>; from then on the sentinel as it is now.
    /// </summary>
    public MaintenanceSnapshot ForDecision => _readSentinelForEachDecision ? Refresh(force: true) : _current;

    /// <summary>
    /// From now on each decision reads the sentinel first. For a draining process: another process
    /// (the one an overlap restart started) now answers the admin listener, so a <c>down.sh</c> it
    /// confirmed must hold here too, before this process's file notification (or poll) arrives.
    /// </summary>
    public void ReadSentinelForEachDecision() => _readSentinelForEachDecision = true;

    /// <summary>Raised after a new state is applied, before any <see cref="Refresh"/> returns it.</summary>
    public event Action<MaintenanceSnapshot>? Applied;

    /// <summary>
    /// Reads the sentinel and applies it if it changed. Without <paramref name="force"/> a file whose
    /// size and modification time are unchanged is not read again (the periodic check).
    /// </summary>
    public MaintenanceSnapshot Refresh(bool force)
    {
        MaintenanceSnapshot next;
        lock (_refreshLock)
        {
            var stamp = FileStamp.Of(SentinelPath);
            if (!force && stamp == _lastStamp)
            {
                return _current;
            }

            _lastStamp = stamp;
            next = Read(stamp);
            var current = _current;
            if (next.SentinelSha256 == current.SentinelSha256 && current.Generation > 0)
            {
                return current;
            }

            next = next with { Generation = current.Generation + 1, Since = _timeProvider.GetUtcNow() };
            _current = next;
            LogApplied(next);

            // Inside the lock: a Refresh that returns this state (the scripts' confirmation) waits until the
            // connections it closes are closed, even when another thread (the watcher) applied it.
            Applied?.Invoke(next);
        }

        return next;
    }

    private MaintenanceSnapshot Read(FileStamp stamp)
    {
        if (!stamp.Exists)
        {
            return MaintenanceSnapshot.Up;
        }

        if (stamp.IsUnreachable)
        {
            return FailedClosed("unreadable", UnreachableProblem.Describe(SentinelPath));
        }

        if (stamp.IsFolder)
        {
            return FailedClosed("unreadable", "it is a folder, not a file");
        }

        if (stamp.Length > MaxSentinelBytes)
        {
            return FailedClosed("too-large", $"{stamp.Length} bytes, more than the {MaxSentinelBytes} a sentinel may hold");
        }

        byte[] content;
        try
        {
            content = File.ReadAllBytes(SentinelPath);
        }
        catch (FileNotFoundException)
        {
            return MaintenanceSnapshot.Up;
        }
        catch (DirectoryNotFoundException)
        {
            return MaintenanceSnapshot.Up;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // It exists but cannot be read (or is a folder): an operator meant "down", so fail closed.
            return FailedClosed("unreadable", ex is UnauthorizedAccessException ? $"{ex.Message} {UnreachableProblem.WhatToFix()}" : ex.Message);
        }

        var (windows, error) = SentinelParser.Parse(content);
        return new MaintenanceSnapshot
        {
            Windows = windows,
            SentinelSha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            SentinelError = error,
        };
    }

    private static MaintenanceSnapshot FailedClosed(string marker, string error) => new()
    {
        Windows = [MaintenanceWindow.Everything],
        SentinelSha256 = marker,
        SentinelError = error,
    };

    // A proxy started in another folder (systemd's default is /) watches another file than the one
    // operators touch: say at start which file it is, and warn when its folder is not even there.
    private void LogWhereTheSentinelIs(string configured)
    {
        var workingDirectory = WorkingDirectory;
        // A folder this user may not search is there all the same: the failure to read the sentinel says why.
        if (Path.GetDirectoryName(SentinelPath) is not { } folder || FileStamp.Of(folder).Exists)
        {
            MaintenanceLog.WatchingSentinel(_logger, SentinelPath, configured, workingDirectory);
        }
        else if (Path.IsPathRooted(configured))
        {
            MaintenanceLog.AbsoluteSentinelFolderMissing(_logger, SentinelPath);
        }
        else
        {
            MaintenanceLog.SentinelFolderMissing(_logger, SentinelPath, configured, workingDirectory);
        }
    }

    private void LogApplied(MaintenanceSnapshot snapshot)
    {
        if (snapshot.SentinelError is { } error)
        {
            MaintenanceLog.SentinelUnreadable(_logger, SentinelPath, error);
        }

        if (snapshot.IsDown)
        {
            MaintenanceLog.MaintenanceOn(_logger, snapshot.Generation, SentinelPath, snapshot.Windows.Length, WindowSummary.Describe(snapshot.Windows));
        }
        else if (snapshot.Generation > 1)
        {
            MaintenanceLog.MaintenanceOff(_logger, snapshot.Generation, SentinelPath);
        }
    }
}
