using System.Globalization;

namespace MaintProxy.Lifetime;

/// <summary>
/// A process an overlap restart replaced, known by its id and its start time (field 22 of
/// <c>/proc/PID/stat</c>, in clock ticks since boot), so that a process id reused later is not taken
/// for it.
/// </summary>
internal readonly record struct PredecessorProcess(int Pid, ulong StartTime)
{
    /// <summary>Reads <c>PID:STARTTIME</c> entries separated by commas; empty or null is none.</summary>
    public static bool TryParseList(string? text, out List<PredecessorProcess> processes)
    {
        processes = [];
        foreach (var entry in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(':');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0
                || !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime))
            {
                return false;
            }

            processes.Add(new PredecessorProcess(pid, startTime));
        }

        return true;
    }

    /// <summary>True while the process exists, has not exited (a zombie has) and is the same one.</summary>
    public bool IsRunning()
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{Pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // The command name, in parentheses, may hold spaces and parentheses: count from the last ')'.
        // After it come the state (field 3) and, 19 fields on, the start time (field 22).
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 19
            && fields[0] != "Z"
            && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime)
            && startTime == StartTime;
    }
}
