using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Xml.Linq;
using Ecr.TestStack;

namespace Ecr.NukeTests;

/// <summary>
/// A user's Nuke build, outside this repository, that references EcrPush as a package, and the local ECR stand-in it
/// pushes to. Made once per test run, while the stack starts: EcrPush is packed (no-build, from this project's
/// configuration) into a folder feed under a version of its own; the build (<c>.nuke/parameters.json</c>,
/// <c>build/_build.csproj</c>, <c>build/Build.cs</c>, a <c>nuget.config</c>) is written from the files in
/// UserBuild/ and compiled once. Each test then runs the compiled build, as <c>dotnet run --no-build</c> would.
/// When any of it cannot be had, every test fails with the reason.
/// </summary>
public sealed class NukeBuildFixture : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    // The first compile restores Nuke and its dependencies; on 2 busy cores that alone can take minutes.
    private static readonly TimeSpan CompileTimeout = TimeSpan.FromMinutes(8);

    private readonly string _workRoot = Directory.CreateTempSubdirectory("ecrpush-nuke-").FullName;

    public LocalEcrStack Stack { get; private set; } = null!;

    /// <summary>The clone this test project was built from.</summary>
    public string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    /// <summary>The configuration this project, and so EcrPush, was built in.</summary>
    public string Configuration { get; } = Metadata("Configuration");

    /// <summary>Unique to this run, so that no package of an earlier run (in NuGet's caches) can stand in for it.</summary>
    public string PackageVersion { get; } =
        string.Create(CultureInfo.InvariantCulture, $"0.0.0-nuketest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}");

    /// <summary>The user's repository: <c>.nuke/</c>, <c>build/</c>, <c>nuget.config</c>.</summary>
    public string BuildRoot => Path.Combine(_workRoot, "user-repo");

    /// <summary>The compiled build.</summary>
    public string BuildAssembly => Path.Combine(BuildRoot, "build", "bin", "Debug", "_build.dll");

    /// <summary>How long the preparation took, for the test output.</summary>
    public string Preparation { get; private set; } = "";

    /// <summary>The environment of every build run: the stand-in's AWS variables and Docker host, no CI, no proxy, no colours.</summary>
    public IReadOnlyDictionary<string, string?> BuildEnvironment { get; private set; } = null!;

    /// <summary>A new empty folder of the fixture's, deleted with it.</summary>
    public string NewDirectory(string name) => Directory.CreateDirectory(Path.Combine(_workRoot, name + "-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        (Stack, var stackTime, var preparationTime) = await LocalEcrStack.StartBesideAsync(PrepareBuildAsync);

        var environment = TestStack.BuildEnvironment.For(Stack);
        environment["NUKE_TELEMETRY_OPTOUT"] = "1";
        BuildEnvironment = environment;

        Preparation = string.Create(
            CultureInfo.InvariantCulture,
            $"stack started in {stackTime.TotalSeconds:0.0} s, pack + compile of the Nuke build took {preparationTime.TotalSeconds:0.0} s, fixture ready in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }

        Directory.Delete(_workRoot, recursive: true);
    }

    /// <summary>
    /// Runs the compiled build from the user's repository with <paramref name="arguments"/> (Nuke's command line),
    /// in <see cref="BuildEnvironment"/> plus <paramref name="extraEnvironment"/>.
    /// </summary>
    public Task<CommandResult> RunBuildAsync(IReadOnlyDictionary<string, string?>? extraEnvironment, params string[] arguments)
    {
        var environment = new Dictionary<string, string?>(BuildEnvironment, StringComparer.Ordinal);
        foreach (var (name, value) in extraEnvironment ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        return ChildCommand.RunAsync("dotnet", [BuildAssembly, .. arguments], BuildRoot, CommandTimeout, environment);
    }

    private async Task PrepareBuildAsync()
    {
        var feed = Directory.CreateDirectory(Path.Combine(_workRoot, "feed")).FullName;
        await LocalPackageFeed.PackAsync(RepositoryRoot, ["src/EcrPush/EcrPush.csproj"], Configuration, PackageVersion, feed, CommandTimeout);

        // Sources as a user of this machine has them, after the feed: the shared Nuke feed beside the clone where it
        // exists (these machines' registry does not serve Nuke), then the machine's own enabled sources.
        var sharedFeed = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "nuget-feed"));
        var enabled = await LocalPackageFeed.EnabledSourcesAsync(RepositoryRoot, CommandTimeout);
        IReadOnlyList<string> sources = [feed, .. Directory.Exists(sharedFeed) ? [sharedFeed] : Array.Empty<string>(), .. enabled];

        Directory.CreateDirectory(Path.Combine(BuildRoot, ".nuke"));
        Directory.CreateDirectory(Path.Combine(BuildRoot, "build"));
        await File.WriteAllTextAsync(Path.Combine(BuildRoot, ".nuke", "parameters.json"), Template("parameters.json.txt"));
        await File.WriteAllTextAsync(Path.Combine(BuildRoot, "build", "_build.csproj"), Template("_build.csproj.txt").Replace("$(EcrPushVersion)", PackageVersion, StringComparison.Ordinal));
        await File.WriteAllTextAsync(Path.Combine(BuildRoot, "build", "Build.cs"), Template("Build.cs.txt"));
        await File.WriteAllTextAsync(Path.Combine(BuildRoot, "nuget.config"), NuGetConfig(sources));

        // Once per run: every test runs this build's output.
        (await ChildCommand.RunAsync(
            "dotnet", ["build", Path.Combine("build", "_build.csproj"), "-nologo"], BuildRoot, CompileTimeout, CompileEnvironment)).EnsureSucceeded();
        if (!File.Exists(BuildAssembly))
        {
            throw new InvalidOperationException($"The build compiled but {BuildAssembly} is not there.");
        }
    }

    // A compile must not leave MSBuild nodes holding the output pipe open after it ends.
    private static Dictionary<string, string?> CompileEnvironment => new(StringComparer.Ordinal)
    {
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        ["NUKE_TELEMETRY_OPTOUT"] = "1",
    };

    private static string NuGetConfig(IReadOnlyList<string> sources) =>
        new XDocument(
            new XElement(
                "configuration",
                new XElement(
                    "packageSources",
                    new XElement("clear"),
                    sources.Distinct(StringComparer.Ordinal).Select((source, index) =>
                        new XElement("add", new XAttribute("key", "source" + index.ToString(CultureInfo.InvariantCulture)), new XAttribute("value", source))))))
        .ToString();

    private static string Template(string name)
    {
        using var stream = typeof(NukeBuildFixture).Assembly.GetManifestResourceStream("UserBuild." + name)
            ?? throw new InvalidOperationException($"The embedded template UserBuild.{name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Metadata(string key) =>
        typeof(NukeBuildFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

[CollectionDefinition(Name)]
public sealed class NukeBuildCollectionDefinition : ICollectionFixture<NukeBuildFixture>
{
    public const string Name = "A user's Nuke build on the local ECR stack";
}
