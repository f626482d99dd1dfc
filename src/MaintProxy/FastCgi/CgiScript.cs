using System.Net;

namespace MaintProxy.FastCgi;

/// <summary>Which script a request runs, and the rest of its path.</summary>
internal readonly record struct CgiScript(string ScriptName, string PathInfo)
{
    /// <summary>
    /// Resolves a decoded request path the way the usual nginx setup does: a path the split-path-info
    /// pattern matches names a script and its path info; otherwise, when there is a front controller,
    /// a path ending in '/' whose directory holds the index file runs it and any other path runs the
    /// front controller; without one, a path ending in '/' gets the index file and any other path names
    /// nothing to run (404, without asking the server). A health probe's path that names no script and
    /// does not end in '/' is passed on as it is, for the server's own pages such as php-fpm's
    /// <c>ping.path</c>. False, with the status to answer, for paths that could leave the document root
    /// (400), script names with an empty segment and paths that name nothing to run (404).
    /// </summary>
    public static bool TryResolve(string path, FastCgiClusterSettings settings, bool probe, out CgiScript script, out HttpStatusCode refusal)
    {
        script = default;
        refusal = HttpStatusCode.BadRequest;
        if (!IsSafe(path))
        {
            return false;
        }

        var match = settings.SplitPathInfo.Match(path);
        if (match.Success && match.Groups[1].Length > 0)
        {
            script = new CgiScript(match.Groups[1].Value, match.Groups[2].Value);
            return IsSafe(script.ScriptName) && IsRoutable(script.ScriptName, out refusal);
        }

        if (probe && !path.EndsWith('/'))
        {
            script = new CgiScript(path, "");
            return true;
        }

        if (settings.FrontController is { } frontController)
        {
            // try_files $uri/: a directory that holds the index file (WordPress's /wp-admin/) runs it,
            // any other path the front controller. Only where the proxy sees the document root.
            if (path.EndsWith('/') && File.Exists(settings.DocumentRoot + path + settings.Index))
            {
                script = new CgiScript(path + settings.Index, "");
                return IsRoutable(script.ScriptName, out refusal);
            }

            script = new CgiScript(frontController, "");
            return true;
        }

        refusal = HttpStatusCode.NotFound;
        if (!path.EndsWith('/'))
        {
            // Without a front controller nothing else is meant to run; passed on, such a path would
            // reach php-fpm's status page (pm.status_path) from any client.
            return false;
        }

        script = new CgiScript(path + settings.Index, "");
        return IsRoutable(script.ScriptName, out refusal);
    }

    /// <summary>
    /// A script name with an empty segment ("//x.php") is refused like an unknown script: the routes
    /// were matched on the path as it is, so merging the slashes here, as nginx does before choosing a
    /// location, would run a script that a route meant for "/x.php" never saw.
    /// </summary>
    private static bool IsRoutable(string scriptName, out HttpStatusCode refusal)
    {
        refusal = HttpStatusCode.NotFound;
        return !scriptName.Contains("//", StringComparison.Ordinal);
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
