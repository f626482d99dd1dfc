using System.Buffers;
using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace MaintProxy.Hosting;

/// <summary>
/// Writes control characters in logged values as <c>\xHH</c> (or <c>\uHHHH</c>), as nginx does in its
/// access log: a request path is decoded, so <c>/%0a[12:00:00 WRN] …</c> would otherwise start a forged
/// log line, and <c>%1b</c> would send escape sequences to the terminal of whoever tails the log.
/// Only property values are changed; message templates and exceptions are the proxy's own text.
/// </summary>
internal sealed class ControlCharacterEscaper : ILogEventEnricher
{
    private static readonly SearchValues<char> Escaped = SearchValues.Create(Controls());

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? replaced = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (value is ScalarValue { Value: string text } && text.AsSpan().ContainsAny(Escaped))
            {
                (replaced ??= []).Add(new LogEventProperty(name, new ScalarValue(Escape(text))));
            }
        }

        if (replaced is not null)
        {
            foreach (var property in replaced)
            {
                logEvent.AddOrUpdateProperty(property);
            }
        }
    }

    public static string Escape(string text)
    {
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
