using System.Buffers;
using System.Globalization;
using System.Text;

namespace MaintProxy.Hosting;

/// <summary>
/// Writes control characters as <c>\xHH</c> (or <c>\uHHHH</c>) in text that others control before it
/// is logged, as nginx does in its access log: a request path is decoded, so <c>/%0a[12:00:00 WRN] …</c>
/// would otherwise start a forged log line, and <c>%1b</c> would send escape sequences to the terminal
/// of whoever tails the log; the same goes for what a FastCGI application writes to its stderr.
/// </summary>
internal static class ControlCharacterEscaper
{
    private static readonly SearchValues<char> Escaped = SearchValues.Create(Controls());

    /// <summary>The text itself when it has nothing to escape (no allocation), else an escaped copy.</summary>
    public static string Escape(string text)
    {
        if (!text.AsSpan().ContainsAny(Escaped))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (!Escaped.Contains(c))
            {
                escaped.Append(c);
            }
            else if (c <= '\u00ff')
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            }
            else
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
        }

        return escaped.ToString();
    }

    // C0, DEL and C1 controls, and the Unicode line and paragraph separators that some viewers break lines at.
    private static string Controls()
    {
        var controls = new StringBuilder();
        for (var c = '\0'; c <= '\u009f'; c++)
        {
            if (char.IsControl(c))
            {
                controls.Append(c);
            }
        }

        return controls.Append('\u2028').Append('\u2029').ToString();
    }
}
