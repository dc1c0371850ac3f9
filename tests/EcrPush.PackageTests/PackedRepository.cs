using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Ecr.TestStack;

namespace Ecr.PackageTests;

/// <summary>
/// Both packages as a release makes them, made once per test run: the clone's working tree (tracked files and new
/// ones, not ignored ones) copied into a git repository of its own, committed, tagged <c>v1.2.3</c> and given a public
/// GitHub remote, then packed there with <c>CI=true</c> (ContinuousIntegrationBuild, warnings as errors). So the
/// version comes from the tag as MinVer reads it, SourceLink and the repository URL from the remote, and what is
/// checked is the code as it is now, committed or not. The clone's own packages (./build.sh Pack) are left alone.
/// </summary>
public sealed class PackedRepository : IAsyncLifetime
{
    public const string Version = "1.2.3";

    public const string RemoteUrl = "https://github.com/ecrpush/EcrPush.git";

    // A first restore and two builds of the library (net8.0, net10.0, the ReadyToRun image) on 2 busy cores.
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan GitTimeout = TimeSpan.FromMinutes(1);

    private readonly string _workRoot = Directory.CreateTempSubdirectory("ecrpush-packages-").FullName;

    /// <summary>The clone this test project was built from.</summary>
    public static string Clone { get; } = typeof(PackedRepository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    /// <summary>The copy that was packed.</summary>
    public string Copy => Path.Combine(_workRoot, "repo");

    /// <summary>Where the packages are.</summary>
    public string Feed => Path.Combine(_workRoot, "packages");

    /// <summary>The copy's commit, which the packages name.</summary>
    public string Commit { get; private set; } = "";

    /// <summary>What both packs printed.</summary>
    public string PackOutput { get; private set; } = "";

    /// <summary>How long the preparation took, for the test output.</summary>
    public string Preparation { get; private set; } = "";

    public string Package(string id, string extension = "nupkg") => Path.Combine(Feed, $"{id}.{Version}.{extension}");

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        var files = (await ChildCommand.RunAsync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], Clone, GitTimeout))
            .EnsureSucceeded().Output.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        foreach (var file in files.Where(file => File.Exists(Path.Combine(Clone, file))))
        {
            var target = Path.Combine(Copy, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(Clone, file), target);
        }

        await GitAsync("init", "--quiet");
        await GitAsync("add", "--all");
        await GitAsync("-c", "user.name=EcrPush tests", "-c", "user.email=tests@ecrpush.invalid", "commit", "--quiet", "--no-gpg-sign", "-m", "The working tree, as packed by the package tests");
        await GitAsync("tag", "v" + Version);
        await GitAsync("remote", "add", "origin", RemoteUrl);
        Commit = (await ChildCommand.RunAsync("git", ["rev-parse", "HEAD"], Copy, GitTimeout)).EnsureSucceeded().Output.Trim();

        // One after the other: the addin's pack builds the library too, which must not race the library's own pack.
        var output = new List<string>();
        foreach (var project in new[] { "src/EcrPush/EcrPush.csproj", "src/Cake.EcrPush/Cake.EcrPush.csproj" })
        {
            var pack = await ChildCommand.RunAsync(
                "dotnet", ["pack", project, "--configuration", "Release", "--output", Feed, "-nologo"], Copy, PackTimeout, PackEnvironment);
            output.Add(pack.EnsureSucceeded().Output);
        }

        PackOutput = string.Join('\n', output);
        Preparation = string.Create(CultureInfo.InvariantCulture, $"copy, commit and two packs took {clock.Elapsed.TotalSeconds:0} s");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_workRoot, recursive: true);
        return Task.CompletedTask;
    }

    // A CI build as .ci/run makes one, whatever CI this test itself runs on; no MSBuild nodes left holding the output.
    private static Dictionary<string, string?> PackEnvironment => new(StringComparer.Ordinal)
    {
        ["CI"] = "true",
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        ["GITHUB_ACTIONS"] = null,
        ["GITHUB_REF"] = null,
        ["TF_BUILD"] = null,
        ["BUILD_SOURCEBRANCH"] = null,
        ["TEAMCITY_VERSION"] = null,
        ["Version"] = null,
        ["VERSION"] = null,
    };

    private async Task GitAsync(params string[] arguments)
        => (await ChildCommand.RunAsync("git", arguments, Directory.CreateDirectory(Copy).FullName, GitTimeout)).EnsureSucceeded();
}

[CollectionDefinition(Name)]
public sealed class PackedRepositoryCollectionDefinition : ICollectionFixture<PackedRepository>
{
    public const string Name = "Packed repository";
}
