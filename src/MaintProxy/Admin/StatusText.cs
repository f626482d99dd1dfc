using System.Globalization;
using System.Text;

namespace MaintProxy.Admin;

/// <summary>The status for a terminal (<c>down.sh --status</c>).</summary>
internal static class StatusText
{
    public static string Render(StatusReport status)
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $"MaintProxy is {status.State.ToUpperInvariant()} (generation {status.Generation}, since {status.Since:u})\n");
        text.Append(invariant, $"Sentinel: {status.SentinelPath}{(status.SentinelSha256 is null ? " (absent)" : "")}\n");
        if (status.SentinelError is { } error)
        {
            text.Append(invariant, $"Sentinel error: {error} (failing closed: everything down)\n");
        }

        foreach (var w in status.Windows)
        {
            text.Append(invariant, $"Window {(w.Site == "*" ? "for every site" : "for site " + w.Site)}");
            text.Append(invariant, $"{(w.Since is { } since ? $", since {since:u}" : "")}{(w.ReadOnly ? ", read-only" : "")}\n");
            if (w.Reason is { } reason)
            {
                text.Append(invariant, $"  reason: {reason}\n");
            }

            if (w.Until is { } until)
            {
                text.Append(invariant, $"  until: {until:u}\n");
            }
            else if (w.RetryAfterSeconds is { } seconds)
            {
                text.Append(invariant, $"  retry after: {seconds} s\n");
            }

            if (w.Allow.Count > 0)
            {
                text.Append(invariant, $"  allowed clients: {string.Join(", ", w.Allow)}\n");
            }

            if (w.Secret)
            {
                text.Append("  bypass secret: set\n");
            }
        }

        var a = status.Answers;
        text.Append(invariant, $"Answers: {a.Forwarded} forwarded, {a.Maintenance} maintenance, {a.Bypassed} bypassed, {a.AllowedPath} allowed-path\n");
        text.Append("In flight: ");
        text.Append(status.InFlight.Count == 0 ? "none" : string.Join(", ", status.InFlight.Select(c => $"{c.Value} to {c.Key}")));
        text.Append('\n');
        return text.ToString();
    }
}
