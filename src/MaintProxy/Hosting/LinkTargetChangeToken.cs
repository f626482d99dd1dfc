using Microsoft.Extensions.Primitives;

namespace MaintProxy.Hosting;

/// <summary>
/// The change of a settings file that is a symbolic link, seen by polling what it leads to: the folder's
/// watcher sees only events on the file's own name, so a link into a folder that is swapped by renaming
/// another link (Kubernetes ConfigMap mounts: <c>appsettings.json -&gt; ..data/appsettings.json</c>, with
/// <c>..data</c> replaced) changed the settings without a reload. Fires once the target's path, length or
/// last write time differ from when it was made; its poll then stops. A file that is not a link costs one
/// look at its name per poll.
/// </summary>
internal static class LinkTargetChangeToken
{
    public static IChangeToken Watch(string path, TimeProvider time, TimeSpan interval)
    {
        var changed = new CancellationTokenSource();
        var seen = TargetOf(path);
        var timer = time.CreateTimer(_ =>
        {
            if (TargetOf(path) != seen)
            {
                changed.Cancel();
            }
        }, null, interval, interval);
        changed.Token.Register(timer.Dispose);
        return new CancellationChangeToken(changed.Token);
    }

    private static (string? Path, long Length, DateTime LastWrite) TargetOf(string path)
    {
        try
        {
            var file = new FileInfo(path);
            if (file.LinkTarget is null)
            {
                return default; // not a link: the folder's watcher sees its changes
            }

            return file.ResolveLinkTarget(returnFinalTarget: true) is FileInfo { Exists: true } target
                ? (target.FullName, target.Length, target.LastWriteTimeUtc)
                : (path, -1, default);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (path, -1, default); // a link loop, or a folder that cannot be read: the reload says why
        }
    }
}
