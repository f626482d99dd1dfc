namespace MaintProxy.Files;

/// <summary>Why a <see cref="FileChangeWatcher"/> called back.</summary>
internal enum FileChangeKind
{
    /// <summary>The periodic check: compare the file's stamp before reading it.</summary>
    Poll,

    /// <summary>The file system reported a change: read the file again.</summary>
    Notified,
}
