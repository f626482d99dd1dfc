using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace MaintProxy.Maintenance;

/// <summary>Checks what data annotations cannot: patterns, networks and paths, at start-up.</summary>
internal sealed class MaintenanceOptionsValidator : IValidateOptions<MaintenanceOptions>
{
    public ValidateOptionsResult Validate(string? name, MaintenanceOptions options)
    {
        var failures = new List<string>();
        failures.AddRange(new[] { (Key: "Maintenance:SentinelPath", Path: options.SentinelPath), (Key: "Maintenance:PagePath", Path: options.PagePath) }
            .Where(setting => setting.Path?.Contains('\0') == true) // null (a JSON null) is [Required]'s to name
            .Select(setting => $"{setting.Key} contains a NUL character (\\u0000), which no file name can hold."));
        foreach (var pattern in options.AllowedPathPatterns)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException ex)
            {
                failures.Add($"Maintenance:AllowedPathPatterns '{pattern}' is not a valid regular expression: {ex.Message}");
            }
        }

        failures.AddRange(options.AllowedPathPrefixes
            .Where(prefix => !prefix.StartsWith('/'))
            .Select(prefix => $"Maintenance:AllowedPathPrefixes '{prefix}' must start with '/'."));
        failures.AddRange(options.TrustedProxies
            .Where(proxy => !ClientAddress.TryParseNetwork(proxy, out _))
            .Select(proxy => $"Maintenance:TrustedProxies '{proxy}' is not an address or CIDR network (IPv4 as four numbers 0-255 without leading zeros)."));
        failures.AddRange(options.CorsAllowedOrigins
            .Where(origin => origin != MaintenanceCors.AnyOrigin && MaintenanceCors.Normalize(origin) is null)
            .Select(origin => $"Maintenance:CorsAllowedOrigins '{origin}' is not an origin: http:// or https://, a host and an optional port, no path (e.g. https://app.example), or * for any."));
        if (options.HealthPath is { Length: > 0 } && !options.HealthPath.StartsWith('/'))
        {
            failures.Add($"Maintenance:HealthPath '{options.HealthPath}' must start with '/' (or be empty to turn it off).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
