using System.Collections.Immutable;
using System.Net;
using System.Text;
using System.Text.Json;

namespace MaintProxy.Maintenance;

/// <summary>
/// Reads the sentinel: empty means everything down with defaults; otherwise one JSON object per line,
/// one maintenance window each. Anything unreadable fails closed: everything down, with the problem.
/// </summary>
internal static class SentinelParser
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
        // Keys exactly as documented, each once: the scripts find a window's "site" by its exact key,
        // so a "Site" the proxy took for the site would be a window for every site to them.
        PropertyNameCaseInsensitive = false,
        AllowDuplicateProperties = false,
    };

    // A key the scripts would not read, but a person could mean as one of these, is refused, not skipped.
    // The keys a window is read from, as the serializer names them: a field added to the window is one more.
    private static readonly string[] Keys = ReadOnly(JsonOptions).GetTypeInfo(typeof(MaintenanceWindow)).Properties
        .Where(property => property.Set is not null)
        .Select(property => property.Name)
        .ToArray();

    public static (ImmutableArray<MaintenanceWindow> Windows, string? Error) Parse(ReadOnlySpan<byte> content)
    {
        // An editor may save it with a byte order mark; it is not part of the first window.
        var text = Encoding.UTF8.GetString(content.StartsWith(Encoding.UTF8.Preamble) ? content[Encoding.UTF8.Preamble.Length..] : content);
        var windows = ImmutableArray.CreateBuilder<MaintenanceWindow>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            MaintenanceWindow? window;
            try
            {
                window = JsonSerializer.Deserialize<MaintenanceWindow>(line, JsonOptions);
            }
            catch (JsonException ex)
            {
                return FailClosed($"line {lineNumber} is not a valid window: {ex.Message}");
            }

            if (window is not null && KeyInAnotherCase(line) is { } misspelt)
            {
                return FailClosed($"line {lineNumber}: key '{misspelt.Written}' is not '{misspelt.Key}' (keys are case-sensitive)");
            }

            if (window is null)
            {
                return FailClosed($"line {lineNumber} is null, not a JSON object");
            }

            if (Complete(window, out var problem) is not { } complete)
            {
                return FailClosed($"line {lineNumber}: {problem}");
            }

            windows.Add(complete);
        }

        return windows.Count == 0 ? ([MaintenanceWindow.Everything], null) : (windows.ToImmutable(), null);
    }

    private static MaintenanceWindow? Complete(MaintenanceWindow window, out string? problem)
    {
        problem = null;
        if (window.Site is { } site && string.IsNullOrWhiteSpace(site))
        {
            problem = "site is empty";
            return null;
        }

        if (window.Site is { } hostAndPort && HostNames.HasPort(hostAndPort))
        {
            problem = $"site '{hostAndPort}' has a port; sites are named without port";
            return null;
        }

        if (window.RetryAfterSeconds is < 0)
        {
            problem = "retryAfterSeconds is negative";
            return null;
        }

        var networks = ImmutableArray.CreateBuilder<IPNetwork>(window.Allow.Length);
        foreach (var cidr in window.Allow)
        {
            if (!ClientAddress.TryParseNetwork(cidr, out var network))
            {
                problem = $"allow entry '{cidr}' is not an address or CIDR network";
                return null;
            }

            networks.Add(network);
        }

        byte[]? secretHash = null;
        if (window.SecretSha256 is { } hex)
        {
            try
            {
                secretHash = Convert.FromHexString(hex);
            }
            catch (FormatException)
            {
            }

            if (secretHash is not { Length: 32 })
            {
                problem = "secretSha256 is not 64 hex digits";
                return null;
            }
        }

        return window with
        {
            AllowNetworks = networks.MoveToImmutable(),
            SecretHash = secretHash,
            SiteHost = window.Site is { } name ? HostNames.Canonical(name) : null,
        };
    }

    /// <summary>The first top-level key that is a known key in another letter case, if any.</summary>
    private static (string Written, string Key)? KeyInAnotherCase(string line)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                var written = reader.GetString()!;
                foreach (var key in Keys)
                {
                    if (!written.Equals(key, StringComparison.Ordinal) && written.Equals(key, StringComparison.OrdinalIgnoreCase))
                    {
                        return (written, key);
                    }
                }
            }
        }

        return null;
    }

    private static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static (ImmutableArray<MaintenanceWindow>, string?) FailClosed(string error) => ([MaintenanceWindow.Everything], error);
}
