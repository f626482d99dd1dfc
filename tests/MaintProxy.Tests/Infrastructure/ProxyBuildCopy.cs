namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// A copy of the built proxy's folder, for a test that edits the appsettings.json beside the binary
/// (the file the proxy reads and watches) without touching the build other tests run.
/// </summary>
internal static class ProxyBuildCopy
{
    /// <summary>Copies the build into <paramref name="directory"/>; returns the copy's MaintProxy.dll.</summary>
    public static string CopyTo(string directory)
    {
        var source = Path.GetDirectoryName(RepoPaths.ProxyDll)!;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(directory, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return Path.Combine(directory, Path.GetFileName(RepoPaths.ProxyDll));
    }

    /// <summary>The appsettings.json beside a copy's MaintProxy.dll.</summary>
    public static string SettingsOf(string proxyDll) => Path.Combine(Path.GetDirectoryName(proxyDll)!, "appsettings.json");
}
