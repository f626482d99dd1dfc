namespace MaintProxy.Demo;

/// <summary>
/// The <c>DemoBackend</c> section: a tiny backend inside the proxy, so that a fresh checkout shows a
/// forwarded 200 at once. Turn it off when the proxy fronts a real application.
/// </summary>
public sealed class DemoBackendOptions
{
    public const string SectionName = "DemoBackend";

    public bool Enabled { get; set; } = true;

    /// <summary>Where the demo backend listens; loopback only.</summary>
    public string Url { get; set; } = "http://127.0.0.1:8082";
}
