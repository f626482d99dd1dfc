using System.Diagnostics;
using System.Text.Json.Nodes;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests;

/// <summary>
/// YARP is referenced by path in the NuGet package folder (see src/MaintProxy/MaintProxy.csproj).
/// That folder is named with or without a final slash, as NUGET_PACKAGES (a CI image's
/// <c>NUGET_PACKAGES=/nuget</c>) or nuget.config spell it; either way the path must name the file.
/// </summary>
public sealed class ProjectFilesTests
{
    private static readonly TimeSpan EvaluationTimeout = TimeSpan.FromMinutes(2);

    public static TheoryData<string> Projects => new()
    {
        "src/MaintProxy/MaintProxy.csproj",
        "tests/MaintProxy.Tests/MaintProxy.Tests.csproj",
    };

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task YarpReference_NamesTheDownloadedFile_WhenThePackageFolderHasNoFinalSlash(string project)
    {
        var packageRoot = (await MsBuildAsync(project, "-getProperty:NuGetPackageRoot")).Trim();
        Assert.NotEqual("", packageRoot);

        var items = JsonNode.Parse(await MsBuildAsync(project, "-getItem:Reference", $"-p:NuGetPackageRoot={packageRoot.TrimEnd('/')}"))!;
        var yarp = items["Items"]!["Reference"]!.AsArray().Single(item => (string?)item!["Identity"] == "Yarp.ReverseProxy")!;

        var hintPath = (string)yarp["HintPath"]!;
        Assert.True(File.Exists(hintPath), $"{project}: the YARP reference names {hintPath}, which does not exist");
    }

    private static async Task<string> MsBuildAsync(string project, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var argument in (string[])["msbuild", Path.Combine(RepoPaths.Root, project), "-nologo", "-nodeReuse:false", "-p:Configuration=Release", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(EvaluationTimeout);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"dotnet msbuild {string.Join(' ', arguments)} failed: {await output}{await error}");
        return await output;
    }
}
