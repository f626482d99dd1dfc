using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using MaintProxy.Hosting;

namespace MaintProxy.Maintenance;

/// <summary>
/// The windows in force, in one line for the log: each window's site, options and reason, so that
/// a line about several windows says what each of them does, not only the first one's reason.
/// </summary>
internal static class WindowSummary
{
    public static string Describe(ImmutableArray<MaintenanceWindow> windows)
    {
        var text = new StringBuilder();
        foreach (var window in windows)
        {
            if (text.Length > 0)
            {
                text.Append("; ");
            }

            text.Append(window.Site is { } site ? "site " + site : "every site");
            if (window.ReadOnly)
            {
                text.Append(" read-only");
            }

            if (window.Until is { } until)
            {
                text.Append(CultureInfo.InvariantCulture, $" until {until.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
            }
            else if (window.RetryAfterSeconds is { } seconds)
            {
                text.Append(CultureInfo.InvariantCulture, $" retry after {seconds} s");
            }

            if (!window.Allow.IsEmpty)
            {
                text.Append(" allowing ").Append(string.Join(", ", window.Allow));
            }

            if (window.SecretSha256 is not null)
            {
                text.Append(" with a bypass secret");
            }

            // The reason is free text: a line break in it must not start a log line of its own.
            text.Append(", reason: ").Append(window.Reason is { } reason ? ControlCharacterEscaper.Escape(reason) : "(none)");
        }

        return text.ToString();
    }
}
