namespace MaintProxy.Tests.Infrastructure;

/// <summary>How a run of up.sh or down.sh ended; <see cref="ExitedAt"/> is a Stopwatch timestamp.</summary>
internal sealed record ScriptResult(int ExitCode, string Stdout, string Stderr, long ExitedAt, TimeSpan Elapsed);
