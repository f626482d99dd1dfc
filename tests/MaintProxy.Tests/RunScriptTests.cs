using System.Diagnostics;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests;

/// <summary>
/// tests/run.sh and .ci/run, copied into a folder of their own and run with stand-ins for dpkg-query,
/// apt-get, id and dotnet (and nothing else on PATH but the shell tools they use): which packages they
/// install, what they build and test, and how the suite's outcome becomes their exit status.
/// </summary>
public sealed class RunScriptTests : IDisposable
{
    private const string AllPassed = "Passed!  - Failed:     0, Passed:     7, Skipped:     1, Total:     8, Duration: 1 s - MaintProxy.Tests.dll (net10.0)";
    private const string TwoFailed = "Failed!  - Failed:     2, Passed:     5, Skipped:     0, Total:     7, Duration: 1 s - MaintProxy.Tests.dll (net10.0)";

    private static readonly string[] ShellTools = ["bash", "cat", "dirname", "grep", "mktemp", "rm", "sed", "tail", "tee"];

    private readonly TempDirectory _dir = new();

    public RunScriptTests()
    {
        Directory.CreateDirectory(_dir.File("tests"));
        Directory.CreateDirectory(_dir.File(".ci"));
        File.Copy(Path.Combine(RepoPaths.Root, "tests", "run.sh"), _dir.File("tests/run.sh"));
        File.Copy(Path.Combine(RepoPaths.Root, ".ci", "run"), _dir.File(".ci/run"));

        var bin = _dir.File("bin");
        Directory.CreateDirectory(bin);
        foreach (var tool in ShellTools)
        {
            File.CreateSymbolicLink(Path.Combine(bin, tool), FindOnPath(tool));
        }

        // The file "missing" has a line "PACKAGE STATUS" for each package that is not installed (STATUS "-": dpkg
        // knows no such package); the others are installed.
        Stub("dpkg-query", """
            while read -r name status; do
              [ "$name" = "${@: -1}" ] || continue
              [ "$status" != - ] || { echo "dpkg-query: no packages found matching $name" >&2; exit 1; }
              printf '%s' "$status"; exit 0
            done <"$STUBS/missing"
            printf 'install ok installed'
            """);
        Stub("apt-get", """echo "apt-get $*" >>"$STUBS/calls" """);
        Stub("id", "echo \"$STUB_UID\"");
        Stub("dotnet", """echo "dotnet $*" >>"$STUBS/calls"; [ "$1" != test ] && exit 0; cat "$STUBS/test-output"; exit "$(cat "$STUBS/test-exit")" """);
        File.WriteAllText(_dir.File("bin/missing"), "");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task MissingPackages_AreInstalledThenTheSuiteIsBuiltAndRun_ItsCountsSummarised()
    {
        File.WriteAllText(_dir.File("bin/missing"), "php8.2-fpm deinstall ok config-files\nfcgiwrap unknown ok not-installed\nspawn-fcgi -\n");

        var run = await RunAsync("tests/run.sh", AllPassed, testExit: 0);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(
            [
                "apt-get update -qq",
                "apt-get install -y -qq --no-install-recommends php8.2-fpm fcgiwrap spawn-fcgi",
                "dotnet build MaintProxy.sln -c Release -nologo -clp:ErrorsOnly",
                "dotnet test MaintProxy.sln -c Release --no-build -nologo --filter Name~X",
            ],
            Calls());
        Assert.Contains("Tests: 7 passed, 0 failed, 1 skipped", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryPackageInstalled_NothingIsInstalled()
    {
        var run = await RunAsync("tests/run.sh", AllPassed, testExit: 0);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain(Calls(), call => call.StartsWith("apt-get", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MissingPackagesWithoutRootOrSudo_ExitsTwoNamingThem_AndRunsNothing()
    {
        File.WriteAllText(_dir.File("bin/missing"), "spawn-fcgi deinstall ok config-files\n");

        var run = await RunAsync("tests/run.sh", AllPassed, testExit: 0, uid: "1000");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("spawn-fcgi missing and not root", run.Output, StringComparison.Ordinal);
        Assert.Empty(Calls());
    }

    [Theory]
    [InlineData("tests/run.sh")]
    [InlineData(".ci/run")]
    public async Task FailedTests_FailTheRun_WithTheCountsSummarised(string script)
    {
        var run = await RunAsync(script, TwoFailed, testExit: 1);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Tests: 5 passed, 2 failed, 0 skipped", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoTestRan_FailsTheRun()
    {
        // What dotnet test prints when a filter matches nothing: no summary, exit status 0.
        var run = await RunAsync("tests/run.sh", "No test matches the given testcase filter `Name~X`", testExit: 0);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("tests/run.sh: no test ran", run.Output, StringComparison.Ordinal);
    }

    private void Stub(string name, string body)
    {
        var path = _dir.File(Path.Combine("bin", name));
        File.WriteAllText(path, "#!/bin/bash\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }
    }

    private List<string> Calls() =>
        File.Exists(_dir.File("bin/calls")) ? [.. File.ReadAllLines(_dir.File("bin/calls"))] : [];

    private async Task<(int ExitCode, string Output)> RunAsync(string script, string testOutput, int testExit, string uid = "0")
    {
        File.WriteAllText(_dir.File("bin/test-output"), testOutput + "\n");
        File.WriteAllText(_dir.File("bin/test-exit"), testExit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var start = new ProcessStartInfo(_dir.File("bin/bash"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir.Path,
        };
        start.ArgumentList.Add(_dir.File(script));
        if (script == "tests/run.sh")
        {
            start.ArgumentList.Add("--filter");
            start.ArgumentList.Add("Name~X");
        }

        start.Environment["PATH"] = _dir.File("bin");
        start.Environment["STUBS"] = _dir.File("bin");
        start.Environment["STUB_UID"] = uid;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    private static string FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(folder => Path.Combine(folder, tool))
            .FirstOrDefault(File.Exists) ?? throw new FileNotFoundException($"{tool} is not on PATH", tool);
}
