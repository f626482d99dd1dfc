namespace MaintProxy.Proxy;

/// <summary>
/// Refuses the keys of a settings section that YARP's configuration reader does not read: it skips them
/// without a word, and every setting under a misspelt one with them.
/// </summary>
internal static class UnknownSettingsKeys
{
    private const string ClientCertificate = "ClientCertificate";

    /// <summary>Throws naming the first key of <paramref name="section"/> not in <paramref name="known"/> and what the section takes.</summary>
    public static void Refuse(IConfigurationSection section, string[] known)
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                var hint = string.Equals(child.Key, ClientCertificate, StringComparison.OrdinalIgnoreCase)
                    ? $" A client certificate is named in the cluster's Metadata: '{ClientCertificateSettings.PathKey}' (and '{ClientCertificateSettings.KeyPathKey}' or '{ClientCertificateSettings.PasswordKey}')."
                    : "";
                throw new InvalidOperationException(
                    $"{child.Path} is not a setting YARP reads, and would be ignored; {section.Path} takes {string.Join(", ", known)}.{hint}");
            }
        }
    }

    /// <summary><see cref="Refuse"/> for each entry of a section of named or numbered entries (destinations, header matches).</summary>
    public static void RefuseInEach(IConfigurationSection section, string[] known)
    {
        foreach (var entry in section.GetChildren())
        {
            Refuse(entry, known);
        }
    }
}
