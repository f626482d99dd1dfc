namespace MaintProxy.Files;

/// <summary>What a cheap stat says of a file: enough to tell that it was replaced or rewritten.</summary>
internal readonly record struct FileStamp(bool Exists, long Length, DateTime LastWriteUtc)
{
    public static readonly FileStamp Missing = new(false, 0, default);

    /// <summary>
    /// A symbolic link is followed, so rewriting its target is a change. A folder at the path exists
    /// (with length -1): whoever reads it then learns it is not a file, instead of taking it for absent.
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

        return Directory.Exists(file.FullName) ? new FileStamp(true, -1, Directory.GetLastWriteTimeUtc(file.FullName)) : Missing;
    }
}
