namespace MaintProxy.Tests.Infrastructure;

/// <summary>A response read off the socket by <see cref="RawHttp"/>, as text.</summary>
internal sealed record RawResponse(string Text)
{
    public int StatusCode => int.Parse(Text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The value of the first header of this name, or null.</summary>
    public string? Header(string name)
    {
        var head = Text[..Math.Max(0, Text.IndexOf("\r\n\r\n", StringComparison.Ordinal))];
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }
}
