namespace MaintProxy.FastCgi;

/// <summary>Which script a request runs, and the rest of its path.</summary>
internal readonly record struct CgiScript(string ScriptName, string PathInfo)
{
    /// <summary>
    /// Resolves a decoded request path the way the usual nginx setup does: a path the split-path-info
    /// pattern matches names a script and its path info; otherwise the front controller runs, when
    /// there is one; otherwise a path ending in '/' gets the index file, and any other path is passed
    /// on as it is for the server to refuse. False for paths that could leave the document root.
    /// </summary>
    public static bool TryResolve(string path, FastCgiClusterSettings settings, out CgiScript script)
    {
        script = default;
        if (!IsSafe(path))
        {
            return false;
        }

        var match = settings.SplitPathInfo.Match(path);
        if (match.Success && match.Groups[1].Length > 0)
        {
            script = new CgiScript(match.Groups[1].Value, match.Groups[2].Value);
            return IsSafe(script.ScriptName);
        }

        if (settings.FrontController is { } frontController)
        {
            script = new CgiScript(frontController, "");
        }
        else if (path.EndsWith('/'))
        {
            script = new CgiScript(path + settings.Index, "");
        }
        else
        {
            script = new CgiScript(path, "");
        }

        return true;
    }

    private static bool IsSafe(string path)
    {
        if (!path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var segment in path.AsSpan().Split('/'))
        {
            var value = path.AsSpan()[segment];
            if (value is "." or "..")
            {
                return false;
            }
        }

        return true;
    }
}
