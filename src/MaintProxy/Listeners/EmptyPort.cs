namespace MaintProxy.Listeners;

/// <summary>
/// A listener URL whose authority ends in a <c>:</c> with no port after it (<c>http://127.0.0.1:</c>, as
/// <c>http://127.0.0.1:${PORT}</c> with the variable unset is written): .NET reads it as the default port 80.
/// </summary>
internal static class EmptyPort
{
    public const string Problem = "has no port after the ':': write one, as http://127.0.0.1:5000";

    public static bool IsIn(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return false;
        }

        var authority = url.AsSpan(scheme + 3);
        var end = authority.IndexOfAny('/', '?', '#');
        return (end < 0 ? authority : authority[..end]).EndsWith(':');
    }
}
