namespace MaintProxy.Maintenance;

/// <summary>
/// Why the proxy cannot look at one of its files, in words that name the user it runs as: the
/// operator who wrote the file is often another one (root, or a member of the folder's group).
/// </summary>
internal static class UnreachableProblem
{
    public static string Describe(string path) =>
        $"permission denied: a folder on the way to {path} may not be searched. {WhatToFix()}";

    public static string WhatToFix() =>
        $"The proxy runs as user {Environment.UserName}: give it search (x) access to each folder on the way and read access to the file, for example through the folder's group.";
}
