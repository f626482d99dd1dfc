namespace MaintProxy.Files;

/// <summary>What a cheap stat says of a file: enough to tell that it was replaced or rewritten.</summary>
internal readonly record struct FileStamp(bool Exists, long Length, DateTime LastWriteUtc)
{
    public static readonly FileStamp Missing = new(false, 0, default);

    /// <summary>The path cannot be looked at (a folder on the way that this process may not search).</summary>
    public static readonly FileStamp Unreachable = new(true, -2, default);

    public bool IsUnreachable => Length == -2;

    public bool IsFolder => Length == -1;

    /// <summary>
    /// A symbolic link is followed, so rewriting its target is a change. A folder at the path exists
    /// (with length -1): whoever reads it then learns it is not a file, instead of taking it for absent.
    /// So does a path this process may not look at (<see cref="Unreachable"/>): it may well be there.
    /// </summary>
    public static FileStamp Of(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target)
        {
            file = target;
        }

        if (file.Exists)
        {
            return new FileStamp(true, file.Length, file.LastWriteTimeUtc);
        }

        if (Directory.Exists(file.FullName))
        {
            return new FileStamp(true, -1, Directory.GetLastWriteTimeUtc(file.FullName));
        }

        return IsDeniedToThisProcess(file.FullName) ? Unreachable : Missing;
    }

    // FileInfo.Exists is false when stat(2) fails for any reason; only ENOENT/ENOTDIR mean "absent".
    private static bool IsDeniedToThisProcess(string path)
    {
        try
        {
            File.GetAttributes(path);
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
