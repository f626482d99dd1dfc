namespace MaintProxy.FastCgi;

/// <summary>The cluster <c>Metadata</c> keys through which a YARP cluster opts into FastCGI.</summary>
internal static class FastCgiMetadata
{
    public const string Transport = "Transport";
    public const string FastCgiTransport = "FastCGI";
    public const string HttpTransport = "HTTP";
    public const string DocumentRoot = "FastCGI.DocumentRoot";
    public const string Index = "FastCGI.Index";
    public const string SplitPathInfo = "FastCGI.SplitPathInfo";
    public const string FrontController = "FastCGI.FrontController";
    public const string KeepConn = "FastCGI.KeepConn";

    /// <summary>Prefix of extra parameters: <c>FastCGI.Param.APP_ENV</c> sends <c>APP_ENV</c>.</summary>
    public const string ParamPrefix = "FastCGI.Param.";

    public const string DefaultIndex = "index.php";

    /// <summary>Like nginx's <c>fastcgi_split_path_info</c>: the script name, then the path info.</summary>
    public const string DefaultSplitPathInfo = @"^(.+?\.php)(/.*)?$";

    public static bool IsFastCgi(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null
        && metadata.TryGetValue(Transport, out var transport)
        && string.Equals(transport, FastCgiTransport, StringComparison.OrdinalIgnoreCase);
}
