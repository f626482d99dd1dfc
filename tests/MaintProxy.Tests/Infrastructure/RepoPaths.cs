namespace MaintProxy.Tests.Infrastructure;

/// <summary>Where the repository's files are, found from the test binary's folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string DownScript => Path.Combine(Root, "down.sh");

    public static string UpScript => Path.Combine(Root, "up.sh");

    public static string MaintPage => Path.Combine(Root, "maint", "maint.html");

    /// <summary>The proxy built in the same configuration as these tests.</summary>
    public static string ProxyDll
    {
        get
        {
            // bin/<Configuration>/net10.0/ → the same configuration under src/MaintProxy.
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var dll = Path.Combine(Root, "src", "MaintProxy", "bin", configuration, "net10.0", "MaintProxy.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the proxy first: {dll} is missing.", dll);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MaintProxy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MaintProxy.sln not found above " + AppContext.BaseDirectory);
    }
}
