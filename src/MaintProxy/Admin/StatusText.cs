using System.Globalization;
using System.Text;
using MaintProxy.Hosting;

namespace MaintProxy.Admin;

/// <summary>
/// The status for a terminal (<c>down.sh --status</c>): one line a window. Text that others wrote (a
/// reason, a site, a path, a sentinel error) has its control characters written as <c>\xHH</c>, so a
/// reason with a newline cannot print a window of its own, nor send escape sequences to the terminal.
/// </summary>
internal static class StatusText
{
    public static string Render(StatusReport status)
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $"MaintProxy is {status.State.ToUpperInvariant()} (generation {status.Generation}, since {status.Since:u})\n");
        text.Append(invariant, $"Sentinel: {Safe(status.SentinelPath)}{(status.SentinelSha256 is null ? " (absent)" : "")}\n");
        if (status.SentinelError is { } error)
        {
            text.Append(invariant, $"Sentinel error: {Safe(error)} (failing closed: everything down)\n");
        }

        foreach (var w in status.Windows)
        {
            AppendWindow(text, w);
        }

        var a = status.Answers;
        text.Append(invariant, $"Answers: {a.Forwarded} forwarded, {a.Maintenance} maintenance, {a.Bypassed} bypassed, {a.AllowedPath} allowed-path\n");
        text.Append("In flight: ");
        text.Append(status.InFlight.Count == 0 ? "none" : string.Join(", ", status.InFlight.Select(c => $"{c.Value} to {Safe(c.Key)}")));
        text.Append('\n');
        return text.ToString();
    }

    private static void AppendWindow(StringBuilder text, WindowReport w)
    {
        var invariant = CultureInfo.InvariantCulture;
        text.Append(w.Site == "*" ? "Window for every site" : $"Window for site {Safe(w.Site)}");
        if (w.Since is { } since)
        {
            text.Append(invariant, $", since {since:u}");
        }

        if (w.ReadOnly)
        {
            text.Append(", read-only");
        }

        if (w.Until is { } until)
        {
            text.Append(invariant, $", until {until:u}");
        }
        else if (w.RetryAfterSeconds is { } seconds)
        {
            text.Append(invariant, $", retry after {seconds} s");
        }

        if (w.Allow.Count > 0)
        {
            text.Append(", allowing ").AppendJoin(' ', w.Allow.Select(Safe));
        }

        if (w.Secret)
        {
            text.Append(", with a bypass secret");
        }

        // Last: a reason may hold commas of its own.
        if (w.Reason is { } reason)
        {
            text.Append(", reason: ").Append(Safe(reason));
        }

        text.Append('\n');
    }

    private static string Safe(string text) => ControlCharacterEscaper.Escape(text);
}
