namespace MaintProxy.Admin;

/// <summary>The <c>Admin</c> configuration section: the loopback-only status surface the scripts use.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>Where the status surface listens; must be a loopback address with a port.</summary>
    public string Url { get; set; } = "http://127.0.0.1:8081";
}
