using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Ecr.TestStack;

namespace Ecr.CakeTests;

/// <summary>
/// One local ECR stand-in (dockerd, a registry per region, moto) for a collection, and the environment that points
/// a Cake run at it the way a build is pointed at AWS: the standard AWS variables and DOCKER_HOST. Whatever else a
/// collection needs is prepared meanwhile (<see cref="PrepareAsync"/>). When any of it cannot be had, every test of
/// the collection fails with the reason.
/// </summary>
public abstract class CakeStackFixture : IAsyncLifetime
{
    /// <summary>For a command that only runs what is built.</summary>
    protected static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    // ./build.sh may have to build the addin first.
    private static readonly TimeSpan BuildScriptTimeout = TimeSpan.FromMinutes(6);

    private int _scripts;

    protected CakeStackFixture() => WorkRoot = Directory.CreateTempSubdirectory("ecrpush-cake-tests-").FullName;

    public LocalEcrStack Stack { get; private set; } = null!;

    /// <summary>The clone this test project was built from; the pinned Cake runs from here.</summary>
    public string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    /// <summary>The configuration this project, and so the addin, was built in.</summary>
    public string Configuration { get; } = Metadata("Configuration");

    /// <summary>How long the preparation took, for the test output.</summary>
    public string Preparation { get; private set; } = "";

    /// <summary>The environment of every Cake run: the stand-in's AWS variables and Docker host, no colours.</summary>
    public IReadOnlyDictionary<string, string?> CakeEnvironment { get; private set; } = null!;

    /// <summary>A temporary folder of the fixture's own, deleted with it.</summary>
    protected string WorkRoot { get; }

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        (Stack, var stackTime, var preparationTime) = await LocalEcrStack.StartBesideAsync(PrepareAsync);

        CakeEnvironment = BuildEnvironment.For(Stack);

        Preparation = string.Create(
            CultureInfo.InvariantCulture,
            $"stack started in {stackTime.TotalSeconds:0.0} s, preparation took {preparationTime.TotalSeconds:0.0} s, fixture ready in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }

        Directory.Delete(WorkRoot, recursive: true);
    }

    /// <summary>
    /// Writes <paramref name="script"/> as build.cake into a folder of its own and runs it with the pinned runner,
    /// from the repository root as <c>./build.sh</c> does.
    /// </summary>
    public async Task<(CommandResult Run, string ScriptDirectory)> RunCakeAsync(string script, params string[] arguments)
    {
        var directory = Path.Combine(WorkRoot, "script-" + Interlocked.Increment(ref _scripts).ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        var scriptPath = Path.Combine(directory, "build.cake");
        await File.WriteAllTextAsync(scriptPath, script);
        var run = await ChildCommand.RunAsync(
            "dotnet", ["tool", "run", "dotnet-cake", "--", scriptPath, .. arguments], RepositoryRoot, CommandTimeout, CakeEnvironment);
        return (run, directory);
    }

    /// <summary>Runs <c>./build.sh</c> of this clone with the stand-in's environment.</summary>
    public Task<CommandResult> RunBuildScriptAsync(params string[] arguments) =>
        ChildCommand.RunAsync(Path.Combine(RepositoryRoot, "build.sh"), arguments, RepositoryRoot, BuildScriptTimeout, CakeEnvironment);

    /// <summary>The tags the registry of <paramref name="region"/> holds for <paramref name="repository"/>, sorted; none when it has no such repository.</summary>
    public Task<IReadOnlyList<string>> RegistryTagsAsync(string region, string repository) => Stack.RegistryTagsAsync(region, repository);

    /// <summary>What the collection needs besides the stack; runs while the stack starts.</summary>
    protected virtual Task PrepareAsync() => Task.CompletedTask;

    private static string Metadata(string key) =>
        typeof(CakeStackFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
