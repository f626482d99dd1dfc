using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// A process the test started, its standard output and error captured line by line. Signalled and
/// ended by its own PID only; on dispose it is killed, with its children, unless it has exited.
/// </summary>
internal sealed class CapturedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private CapturedProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public string FileName => _process.StartInfo.FileName;

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts the process. With <paramref name="holdStandardOutput"/>, nothing reads its standard output
    /// (a pipe that fills up, as when journald or a container's log driver stalls) until
    /// <see cref="ReadStandardOutput"/>; its standard error is read from the start.
    /// </summary>
    public static CapturedProcess Start(ProcessStartInfo start, bool holdStandardOutput = false)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var captured = new CapturedProcess(new Process { StartInfo = start });
        captured._process.OutputDataReceived += (_, e) => captured.Add(e.Data);
        captured._process.ErrorDataReceived += (_, e) => captured.Add(e.Data);
        captured._process.Start();
        if (!holdStandardOutput)
        {
            captured._process.BeginOutputReadLine();
        }

        captured._process.BeginErrorReadLine();
        return captured;
    }

    /// <summary>Starts reading the standard output that <see cref="Start"/> was told to hold.</summary>
    public void ReadStandardOutput() => _process.BeginOutputReadLine();

    public bool OutputContains(string text) => _output.Any(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>Sends a signal (e.g. "TERM", "INT") to this process, and only this one.</summary>
    public void Signal(string name)
    {
        if (_process.HasExited)
        {
            return; // its PID may already belong to another process
        }

        using var kill = Process.Start("kill", ["-" + name, Pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Kills the process and its children, and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
