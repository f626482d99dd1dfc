using System.Globalization;

namespace MaintProxy.Transport;

/// <summary>The process's open-file limit (the soft one, which .NET raises to the hard one at start).</summary>
internal static class OpenFileLimit
{
    private const string LimitsFile = "/proc/self/limits";
    private const string Row = "Max open files";

    /// <summary>The limit, or null when there is none or it cannot be read (not Linux).</summary>
    public static long? Read()
    {
        try
        {
            var row = File.ReadLines(LimitsFile).FirstOrDefault(line => line.StartsWith(Row, StringComparison.Ordinal));
            var soft = row?[Row.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
