using System.Globalization;
using System.Xml.Linq;
using NuGet.Versioning;
using Nuke.Common;
using Nuke.Common.IO;
using Nuke.Common.ProjectModel;
using Nuke.Common.Tooling;
using Nuke.Common.Tools.DotNet;
using static Nuke.Common.Tools.DotNet.DotNetTasks;

/// <summary>
/// The project's own build: <c>./build.sh [Target] [--parameter value]</c> (build.cmd on Windows). The default target
/// is Test. Push and Demo call EcrPush in this process; DeploymentFile consumes the reference they return.
/// </summary>
sealed partial class Build : NukeBuild
{
    public static int Main() => Execute<Build>(x => x.Test);

    [Parameter("Configuration of Compile, Test and Pack: Release (default) or Debug")]
    readonly string Configuration = "Release";

    [Parameter("Version of Compile and Pack, SemVer (1.2.3, 1.3.0-rc.1); default: from the git tags (MinVer, tags vX.Y.Z)")]
    readonly string? Version;

    [Solution] readonly Solution Solution = null!;

    AbsolutePath Artifacts => RootDirectory / "artifacts";

    AbsolutePath TestResults => Artifacts / "test-results";

    // Every test project: the folders under tests/ whose project name ends in Tests (EcrPush.TestStack is the stand-in).
    IReadOnlyList<AbsolutePath> TestProjects =>
        [.. (RootDirectory / "tests").GlobFiles("*/*Tests.csproj").OrderBy(path => path.Name, StringComparer.Ordinal)];

    Target Compile => _ => _
        .Description("Builds EcrPush.Nuke.sln (the library, the Cake addin, the tests)")
        .Executes(() => DotNetBuild(s => s
            .SetProjectFile(Solution)
            .SetConfiguration(Configuration)
            .When(_ => Version is not null, s => s.SetVersion(CheckedVersion))));

    // Given on the command line: said before anything is built when it is no version. -p:Version is what the SDK has
    // always taken, and src/Directory.Build.props hands it to MinVer, so the assemblies and the packages agree.
    string CheckedVersion =>
        SemanticVersion.TryParse(Version!, out _)
            ? Version!
            : throw new InvalidOperationException(
                $"--version {Version} is not a version: give a SemVer 2.0 version such as 1.2.3 or 1.3.0-rc.1 (no leading v), or leave --version out to take it from the git tag vX.Y.Z.");

    Target Test => _ => _
        .Description("Unit, integration, Cake and Nuke tests; the last three on a local ECR stand-in (Linux, root)")
        .DependsOn(Compile, Prerequisites)
        .Executes(() =>
        {
            TestResults.CreateOrCleanDirectory();
            // A failed snapshot must fail the run with its diff, not open a diff tool on an unattended machine
            // (CI=true alone does not stop DiffEngine from launching one); dotnet test and its test hosts inherit it.
            Environment.SetEnvironmentVariable("DiffEngine_Disabled", "true");
            var inSolution = Solution.AllProjects.Select(project => (string)project.Path).ToHashSet(StringComparer.Ordinal);
            var failures = new List<string>();
            foreach (var project in TestProjects)
            {
                try
                {
                    // A project that is not in the solution (yet) was not built by Compile: dotnet test builds it.
                    DotNetTest(s => s
                        .SetProjectFile(project)
                        .SetConfiguration(Configuration)
                        .SetNoBuild(inSolution.Contains(project))
                        .SetResultsDirectory(TestResults)
                        .SetLoggers($"trx;LogFilePrefix={project.NameWithoutExtension}", "console;verbosity=normal"));
                }
                catch (ProcessException exception)
                {
                    failures.Add($"{project.NameWithoutExtension}: exit code {exception.ExitCode}");
                }
            }

            // One plain closing line from the trx files, so that a run that executed no test shows.
            int passed = 0, failed = 0, skipped = 0;
            foreach (var trx in TestResults.GlobFiles("*.trx"))
            {
                var counters = XDocument.Load(trx).Descendants().First(element => element.Name.LocalName == "Counters");
                int Count(string name) => int.Parse(counters.Attribute(name)?.Value ?? "0", CultureInfo.InvariantCulture);
                passed += Count("passed");
                failed += Count("failed") + Count("error") + Count("timeout") + Count("aborted");
                skipped += Count("notExecuted");
            }

            Console.WriteLine($"{passed} passed, {failed} failed" + (skipped > 0 ? $", {skipped} skipped" : ""));
            Assert.True(failures.Count == 0, "Tests failed:" + Environment.NewLine + string.Join(Environment.NewLine, failures));
        });

    Target Pack => _ => _
        .Description("Packages EcrPush and Cake.EcrPush (with symbols packages) into artifacts/packages, at --version or the git tag's version")
        .DependsOn(Compile)
        .Executes(() =>
        {
            foreach (var project in new[] { RootDirectory / "src/EcrPush/EcrPush.csproj", RootDirectory / "src/Cake.EcrPush/Cake.EcrPush.csproj" })
            {
                DotNetPack(s => s
                    .SetProject(project)
                    .SetConfiguration(Configuration)
                    .EnableNoBuild()
                    .When(_ => Version is not null, s => s.SetVersion(CheckedVersion))
                    .SetOutputDirectory(Artifacts / "packages"));
            }
        });
}
