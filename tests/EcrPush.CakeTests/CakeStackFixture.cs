using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
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

    // CI systems and a user's AWS set-up that would change what a push does or prints.
    private static readonly string[] ForeignVariables =
    [
        "TF_BUILD", "GITHUB_ACTIONS", "TEAMCITY_VERSION", "AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
    ];

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
        var stackStart = TimeAsync(() => LocalEcrStack.StartAsync());
        var preparation = TimeAsync(async () =>
        {
            await PrepareAsync();
            return true;
        });
        try
        {
            await Task.WhenAll(stackStart, preparation);
        }
        catch
        {
            // A stack that started while the preparation failed must still be stopped, by DisposeAsync.
            if (stackStart.IsCompletedSuccessfully)
            {
                Stack = (await stackStart).Value;
            }

            throw;
        }

        (Stack, var stackTime) = await stackStart;
        var (_, preparationTime) = await preparation;

        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in ForeignVariables)
        {
            environment[name] = null;
        }

        foreach (var (name, value) in Stack.AwsEnvironment)
        {
            environment[name] = value;
        }

        environment["DOCKER_HOST"] = Stack.DockerHost;
        environment["NO_COLOR"] = "1";

        // A build that a script starts must not leave MSBuild nodes holding the output pipe open after it ends.
        environment["MSBUILDDISABLENODEREUSE"] = "1";
        environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        CakeEnvironment = environment;

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
    public async Task<IReadOnlyList<string>> RegistryTagsAsync(string region, string repository)
    {
        using var client = Stack.CreateRegistryClient(region);
        using var response = await client.GetAsync(new Uri($"https://{Stack.RegistryHost(region)}/v2/{repository}/tags/list"));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
            ? [.. tags.EnumerateArray().Select(tag => tag.GetString()!).Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>What the collection needs besides the stack; runs while the stack starts.</summary>
    protected virtual Task PrepareAsync() => Task.CompletedTask;

    private static string Metadata(string key) =>
        typeof(CakeStackFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static async Task<(T Value, TimeSpan Elapsed)> TimeAsync<T>(Func<Task<T>> start)
    {
        var clock = Stopwatch.StartNew();
        var value = await start();
        return (value, clock.Elapsed);
    }
}
