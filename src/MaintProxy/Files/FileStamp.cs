namespace MaintProxy.Files;

/// <summary>What a cheap stat says of a file: enough to tell that it was replaced or rewritten.</summary>
internal readonly record struct FileStamp(bool Exists, long Length, DateTime LastWriteUtc)
{
    public static readonly FileStamp Missing = new(false, 0, default);

    public static FileStamp Of(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(true, info.Length, info.LastWriteTimeUtc) : Missing;
    }
}
