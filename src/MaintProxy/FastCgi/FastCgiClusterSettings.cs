using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace MaintProxy.FastCgi;

/// <summary>A FastCGI cluster's settings, read once from its metadata.</summary>
internal sealed record FastCgiClusterSettings(
    string ClusterId,
    string DocumentRoot,
    string Index,
    Regex SplitPathInfo,
    string? FrontController,
    bool KeepConn,
    IReadOnlyList<KeyValuePair<string, string>> ExtraParams)
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    public static bool TryParse(string clusterId, IReadOnlyDictionary<string, string>? metadata,
        [NotNullWhen(true)] out FastCgiClusterSettings? settings, [NotNullWhen(false)] out string? error)
    {
        settings = null;
        metadata ??= new Dictionary<string, string>();
        if (!metadata.TryGetValue(FastCgiMetadata.DocumentRoot, out var documentRoot) || string.IsNullOrWhiteSpace(documentRoot))
        {
            error = $"metadata '{FastCgiMetadata.DocumentRoot}' is required for the FastCGI transport (the absolute folder SCRIPT_FILENAME starts from, as the FastCGI server sees it)";
            return false;
        }

        if (!documentRoot.StartsWith('/'))
        {
            error = $"metadata '{FastCgiMetadata.DocumentRoot}' must be an absolute path, not '{documentRoot}'";
            return false;
        }

        var index = metadata.GetValueOrDefault(FastCgiMetadata.Index, FastCgiMetadata.DefaultIndex);
        if (string.IsNullOrWhiteSpace(index) || index.Contains('/', StringComparison.Ordinal))
        {
            error = $"metadata '{FastCgiMetadata.Index}' must be a file name such as index.php, not '{index}'";
            return false;
        }

        var pattern = metadata.GetValueOrDefault(FastCgiMetadata.SplitPathInfo, FastCgiMetadata.DefaultSplitPathInfo);
        if (!TryCreate(pattern, out var split, out var patternError))
        {
            error = $"metadata '{FastCgiMetadata.SplitPathInfo}' is not a valid regular expression ('{pattern}'): {patternError}";
            return false;
        }

        if (split.GetGroupNumbers().Length < 3)
        {
            error = $"metadata '{FastCgiMetadata.SplitPathInfo}' needs two capture groups, the script name and the path info, like '{FastCgiMetadata.DefaultSplitPathInfo}'; '{pattern}' has {split.GetGroupNumbers().Length - 1}";
            return false;
        }

        // The pattern must match the whole path, not a part of it: in .NET '$' also matches before a
        // final '\n', so '^(.+?\.php)(/.*)?$' alone would run /x.php for the path "/x.php\n".
        if (!TryCreate($@"\A(?:{pattern})\z", out split, out var wrapError))
        {
            error = $"metadata '{FastCgiMetadata.SplitPathInfo}' ('{pattern}') cannot be made to match whole paths: {wrapError}";
            return false;
        }

        var frontController = metadata.GetValueOrDefault(FastCgiMetadata.FrontController);
        if (string.IsNullOrEmpty(frontController))
        {
            frontController = null;
        }
        else if (!frontController.StartsWith('/') || frontController.Contains("/../", StringComparison.Ordinal))
        {
            error = $"metadata '{FastCgiMetadata.FrontController}' must be a script path under the document root starting with '/', such as /index.php, not '{frontController}'";
            return false;
        }

        var keepConn = true;
        if (metadata.TryGetValue(FastCgiMetadata.KeepConn, out var keepConnText) && !bool.TryParse(keepConnText, out keepConn))
        {
            error = $"metadata '{FastCgiMetadata.KeepConn}' must be true or false, not '{keepConnText}'";
            return false;
        }

        var extra = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in metadata)
        {
            if (key.StartsWith(FastCgiMetadata.ParamPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var name = key[FastCgiMetadata.ParamPrefix.Length..];
                if (name.Length == 0)
                {
                    error = $"metadata '{key}' names no parameter";
                    return false;
                }

                extra.Add(new(name, value ?? ""));
            }
            else if (key.StartsWith("FastCGI.", StringComparison.OrdinalIgnoreCase) && !IsKnownKey(key))
            {
                error = $"metadata '{key}' is not a FastCGI setting (known: {FastCgiMetadata.DocumentRoot}, {FastCgiMetadata.Index}, {FastCgiMetadata.SplitPathInfo}, {FastCgiMetadata.FrontController}, {FastCgiMetadata.KeepConn}, {FastCgiMetadata.ParamPrefix}NAME)";
                return false;
            }
        }

        settings = new FastCgiClusterSettings(clusterId, documentRoot.TrimEnd('/'), index, split, frontController, keepConn, extra);
        error = null;
        return true;
    }

    private static bool TryCreate(string pattern, [NotNullWhen(true)] out Regex? regex, [NotNullWhen(false)] out string? error)
    {
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout);
            error = null;
            return true;
        }
        catch (ArgumentException ex)
        {
            regex = null;
            error = ex.Message;
            return false;
        }
    }

    private static bool IsKnownKey(string key) =>
        key.Equals(FastCgiMetadata.DocumentRoot, StringComparison.OrdinalIgnoreCase)
        || key.Equals(FastCgiMetadata.Index, StringComparison.OrdinalIgnoreCase)
        || key.Equals(FastCgiMetadata.SplitPathInfo, StringComparison.OrdinalIgnoreCase)
        || key.Equals(FastCgiMetadata.FrontController, StringComparison.OrdinalIgnoreCase)
        || key.Equals(FastCgiMetadata.KeepConn, StringComparison.OrdinalIgnoreCase);
}
