using System.Reflection;
using System.Text.Json.Nodes;
using MaintProxy.Admin;
using MaintProxy.Demo;
using MaintProxy.FastCgi;
using MaintProxy.Hosting;
using MaintProxy.Lifetime;
using MaintProxy.Maintenance;
using MaintProxy.Proxy;
using MaintProxy.Tests.Infrastructure;
using MaintProxy.Transport;

namespace MaintProxy.Tests.Hosting;

/// <summary>
/// Every setting of MaintProxy's own sections is in the shipped <c>appsettings.json</c>, with its
/// default, and every key there is in README.md's tables: an option added in code alone would be
/// one an operator cannot find.
/// </summary>
public sealed class SettingsDocumentationTests
{
    public static TheoryData<string, Type> Sections => new()
    {
        { MaintenanceOptions.SectionName, typeof(MaintenanceOptions) },
        { AdminOptions.SectionName, typeof(AdminOptions) },
        { DemoBackendOptions.SectionName, typeof(DemoBackendOptions) },
        { HttpBackendsOptions.SectionName, typeof(HttpBackendsOptions) },
        { LifetimeOptions.SectionName, typeof(LifetimeOptions) },
        { FastCgiOptions.SectionName, typeof(FastCgiOptions) },
        { TransportOptions.SectionName, typeof(TransportOptions) },
        { ConsoleLogOptions.SectionName, typeof(ConsoleLogOptions) },
    };

    [Theory]
    [MemberData(nameof(Sections))]
    public void EveryOption_IsInAppSettings_AndEveryKeyThereIsInTheReadme(string section, Type options)
    {
        var shipped = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "MaintProxy", "appsettings.json")))!;
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var keys = shipped[section]!.AsObject().Select(entry => entry.Key).ToList();
        var settable = options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .Select(p => p.Name)
            .ToList();

        Assert.Empty(settable.Except(keys));
        Assert.Empty(keys.Except(settable));
        var undocumented = keys.Where(key => !readme.Contains($"`{section}:{key}`", StringComparison.Ordinal)).ToList();
        Assert.Empty(undocumented);
    }
}
