using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace MaintProxy.Maintenance;

/// <summary>
/// Reads the sentinel: empty means everything down with defaults; otherwise one JSON object per line,
/// one maintenance window each. Anything unreadable fails closed: everything down, with the problem.
/// </summary>
internal static class SentinelParser
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    public static (ImmutableArray<MaintenanceWindow> Windows, string? Error) Parse(ReadOnlySpan<byte> content)
    {
        var text = Encoding.UTF8.GetString(content);
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

            try
            {
                var window = JsonSerializer.Deserialize<MaintenanceWindow>(line, JsonOptions);
                if (window is null)
                {
                    return FailClosed($"line {lineNumber} is null, not a JSON object");
                }

                windows.Add(window);
            }
            catch (JsonException ex)
            {
                return FailClosed($"line {lineNumber} is not a valid window: {ex.Message}");
            }
        }

        return windows.Count == 0 ? ([MaintenanceWindow.Everything], null) : (windows.ToImmutable(), null);
    }

    private static (ImmutableArray<MaintenanceWindow>, string?) FailClosed(string error) => ([MaintenanceWindow.Everything], error);
}
