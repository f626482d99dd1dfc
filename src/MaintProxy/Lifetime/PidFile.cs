using System.Globalization;
using Microsoft.Extensions.Options;

namespace MaintProxy.Lifetime;

/// <summary>
/// Writes the process id once the proxy is ready to serve, and removes it when the proxy starts
/// draining (and on exit). A new process in an overlap restart overwrites it, so the old one
/// removes it only if it still names the old one.
/// </summary>
internal sealed class PidFile(IOptions<LifetimeOptions> options, ILogger<PidFile> logger)
{
    private readonly string? _path = string.IsNullOrEmpty(options.Value.PidFile) ? null : Path.GetFullPath(options.Value.PidFile);
    private readonly string _pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    public void Write()
    {
        if (_path is null)
        {
            return;
        }

        var temporary = $"{_path}.{_pid}.tmp";
        try
        {
            File.WriteAllText(temporary, _pid + "\n");
            // rename(2) is atomic: a reader sees the old process id or the new one, never half of one.
            File.Move(temporary, _path, overwrite: true);
            LifetimeLog.PidFileWritten(logger, _path, _pid);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LifetimeLog.PidFileFailed(logger, _path, ex.Message);
        }
    }

    public void RemoveIfOurs()
    {
        if (_path is null)
        {
            return;
        }

        try
        {
            if (File.Exists(_path) && File.ReadAllText(_path).Trim() == _pid)
            {
                File.Delete(_path);
                LifetimeLog.PidFileRemoved(logger, _path, _pid);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LifetimeLog.PidFileFailed(logger, _path, ex.Message);
        }
    }
}
