using MaintProxy.Maintenance;

namespace MaintProxy.Listeners;

/// <summary>
/// A listener URL whose authority ends in a <c>:</c> with no port after it (<c>http://127.0.0.1:</c>, as
/// <c>http://127.0.0.1:${PORT}</c> with the variable unset is written): .NET reads it as the default port 80.
/// </summary>
internal static class EmptyPort
{
    public const string Problem = "has no port after the ':': write one, as http://127.0.0.1:5000";

    public static bool IsIn(string url) => HostNames.AuthorityOfUrl(url).EndsWith(':');
}
