using Microsoft.Extensions.Options;

namespace MaintProxy.Lifetime;

internal sealed class LifetimeOptionsValidator : IValidateOptions<LifetimeOptions>
{
    private static readonly TimeSpan MaxDrainTimeout = TimeSpan.FromDays(1);
    private static readonly TimeSpan MinProgressInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxKeepAliveDrainGrace = TimeSpan.FromMinutes(1);

    public ValidateOptionsResult Validate(string? name, LifetimeOptions options)
    {
        if (options.DrainTimeout <= TimeSpan.Zero || options.DrainTimeout > MaxDrainTimeout)
        {
            return ValidateOptionsResult.Fail($"Lifetime:DrainTimeout must be above zero and at most {MaxDrainTimeout}; it is {options.DrainTimeout}.");
        }

        if (options.KeepAliveDrainGrace < TimeSpan.Zero || options.KeepAliveDrainGrace > MaxKeepAliveDrainGrace)
        {
            return ValidateOptionsResult.Fail($"Lifetime:KeepAliveDrainGrace must be from zero to {MaxKeepAliveDrainGrace}; it is {options.KeepAliveDrainGrace}.");
        }

        // The progress timer is armed when the drain starts: a period it cannot take would fail the drain then, not here.
        if (options.DrainProgressInterval < MinProgressInterval || options.DrainProgressInterval > MaxDrainTimeout)
        {
            return ValidateOptionsResult.Fail(
                $"Lifetime:DrainProgressInterval must be at least {MinProgressInterval} and at most {MaxDrainTimeout}; it is {options.DrainProgressInterval}.");
        }

        if (!string.IsNullOrEmpty(options.PidFile))
        {
            if (options.PidFile.Contains('\0'))
            {
                return ValidateOptionsResult.Fail("Lifetime:PidFile contains a NUL character (\\u0000), which no file name can hold.");
            }

            var directory = Path.GetDirectoryName(Path.GetFullPath(options.PidFile));
            if (directory is null || !Directory.Exists(directory))
            {
                return ValidateOptionsResult.Fail($"Lifetime:PidFile '{options.PidFile}' is in a folder that does not exist ({directory}).");
            }

            if (Directory.Exists(options.PidFile))
            {
                return ValidateOptionsResult.Fail($"Lifetime:PidFile '{options.PidFile}' is a folder: name a file in it (for example maint/maintproxy.pid).");
            }

            // The file is written once the proxy is ready; a folder it may not write in would leave
            // maint/restart.sh and systemd's PIDFile= without it, with only a log line to say why.
            if (!MayCreateFilesIn(directory))
            {
                return ValidateOptionsResult.Fail(
                    $"Lifetime:PidFile '{options.PidFile}' cannot be written: the proxy runs as user {Environment.UserName}, who may not create files in {directory}. Give that user write access to the folder, or name a file in a folder it may write.");
            }
        }

        if (!PredecessorProcess.TryParseList(options.Predecessors, out _))
        {
            return ValidateOptionsResult.Fail($"Lifetime:Predecessors must be PID:STARTTIME entries separated by commas (maint/restart.sh sets it); it is '{options.Predecessors}'.");
        }

        return ValidateOptionsResult.Success;
    }

    private static bool MayCreateFilesIn(string directory)
    {
        var probe = Path.Combine(directory, $".maintproxy-pid-probe.{Environment.ProcessId}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                return true;
            }
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        catch (IOException)
        {
            return true; // not a question of permission (a left-over probe, a full disk): writing says more
        }
    }
}
