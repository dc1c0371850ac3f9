using System.Text.RegularExpressions;
using Ecr.TestStack;
using Xunit.Abstractions;

namespace Ecr.NukeTests;

/// <summary>
/// EcrPush inside a real Nuke build, as a user writes one (see UserBuild/Build.cs.txt): a Push target calls
/// <c>EcrPush(_ => _...)</c> and a Deploy target, which depends on it, writes what the push returned to a file.
/// The build reaches the stand-in through the environment, as it would reach AWS.
/// </summary>
[Collection(NukeBuildCollectionDefinition.Name)]
public sealed partial class NukeBuildTests(NukeBuildFixture fixture, ITestOutputHelper output)
{
    private const string Region = "us-east-1";

    private LocalEcrStack Stack => fixture.Stack;

    private string Host => Stack.RegistryHost(Region);

    [Fact]
    public async Task A_push_with_two_tags_lands_and_pulls_back_by_digest_as_the_same_image()
    {
        var imageId = await Stack.BuildImageAsync("nuke-web:1.4.2", layers: 2);
        var repository = NewRepository("two-tags");
        var deployment = DeploymentFile();

        var run = await RunAsync(
            "--source-image", "nuke-web:1.4.2", "--repository", repository, "--tags", "1.4.2", "latest", "--deployment-file", deployment);

        run.EnsureSucceeded();
        Assert.Equal(["1.4.2", "latest"], await Stack.RegistryTagsAsync(Region, repository));
        var (_, digest) = ReadDeployment(deployment);

        // Gone from the engine with every tag: what comes back can only come from the registry.
        Assert.False(await Stack.DeleteImageAsync(imageId), $"The engine still has {imageId} after deleting it");
        Assert.Equal(imageId, await Stack.PullBackAsync(Region, $"{Host}/{repository}@{digest}"));
        Assert.Equal(imageId, await Stack.PullBackAsync(Region, $"{Host}/{repository}:latest"));
    }

    [Fact]
    public async Task The_downstream_target_gets_the_pushed_reference_and_the_digest_the_registry_has()
    {
        await Stack.BuildImageAsync("nuke-deploy:2.0.0", layers: 3);
        var repository = NewRepository("deploy");
        var deployment = DeploymentFile();

        var run = await RunAsync(
            "--source-image", "nuke-deploy:2.0.0", "--repository", repository, "--tags", "2.0.0", "stable", "--deployment-file", deployment);

        run.EnsureSucceeded();
        var (reference, digest) = ReadDeployment(deployment);
        Assert.Equal($"{Host}/{repository}:2.0.0", reference);
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
        Assert.Equal(digest, await Stack.ManifestDigestAsync(Region, repository, "2.0.0"));
        Assert.Equal(digest, await Stack.ManifestDigestAsync(Region, repository, "stable"));

        // Deploy ran after Push, in the same build process, with the result Push kept.
        var pushed = Assert.Single(run.Lines, line => line.Contains($"Pushed {Host}/{repository}:2.0.0, {Host}/{repository}:stable ({digest})", StringComparison.Ordinal));
        var deploying = Assert.Single(run.Lines, line => line.EndsWith($"Deploying {Host}/{repository}@{digest}", StringComparison.Ordinal));
        Assert.True(run.Lines.ToList().IndexOf(pushed) < run.Lines.ToList().IndexOf(deploying), run.Output);

        // No --output-variable, so the build's When(...) left OutputVariable unset: nothing mentions one.
        Assert.DoesNotContain("output variable", run.Output, StringComparison.OrdinalIgnoreCase);

        // At Nuke's default verbosity (Normal) the library's verbose detail stays out of the log.
        Assert.DoesNotContain(run.Lines, line => line.Contains("[VRB]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_push_fails_the_Push_target_with_the_reason_and_a_non_zero_exit_and_Deploy_does_not_run()
    {
        await Stack.BuildImageAsync("nuke-missing:1");
        var repository = NewRepository("missing");
        var deployment = DeploymentFile();

        var run = await RunAsync("--source-image", "nuke-missing:2", "--repository", repository, "--deployment-file", deployment);

        Assert.True(run.ExitCode != 0, $"The build exited with 0 after a failed push:\n{run.Output}");

        // The EcrPushException's message: what is missing and which tags the engine has instead.
        Assert.Contains("nuke-missing:2 is not in the Docker engine", run.Output, StringComparison.Ordinal);
        Assert.Contains("nuke-missing:1", run.Output, StringComparison.Ordinal);
        Assert.Contains("[ERR] Target Push has thrown an exception", run.Output, StringComparison.Ordinal);
        Assert.Contains("Ecr.EcrPushException: The image nuke-missing:2 is not in the Docker engine", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(deployment), $"Deploy ran after a failed Push and wrote {deployment}");
        Assert.DoesNotContain(run.Lines, line => line.Contains("Deploying ", StringComparison.Ordinal));

        // Nuke's summary: Push failed with the exception's message, Deploy did not run.
        Assert.Matches(SummaryRow("Push", "Failed", "// EcrPushException: The image nuke-missing:2 is not in the Docker engine"), Plain(run));
        Assert.Matches(SummaryRow("Deploy", "NotRun"), Plain(run));
        Assert.Empty(await Stack.RegistryTagsAsync(Region, repository));
        Assert.DoesNotContain(LocalEcrStack.RegistryPassword, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_target_pushes_to_two_regions_in_one_call_with_CombineWith_and_both_registries_get_the_image()
    {
        await Stack.BuildImageAsync("nuke-mirror:5.0", layers: 2);
        var repository = NewRepository("mirror");

        var run = await RunAsync(["--target", "Mirror", "--source-image", "nuke-mirror:5.0", "--repository", repository, "--tags", "5.0", "--regions", .. Stack.Regions]);

        run.EnsureSucceeded();
        Assert.Equal(2, Stack.Regions.Count);
        var digests = new List<string>();
        foreach (var region in Stack.Regions)
        {
            Assert.Equal(["5.0"], await Stack.RegistryTagsAsync(region, repository));
            var digest = await Stack.ManifestDigestAsync(region, repository, "5.0");
            Assert.Single(run.Lines, line => line.EndsWith($"Mirrored to {Stack.RegistryHost(region)}/{repository}:5.0 ({digest})", StringComparison.Ordinal));
            digests.Add(digest);
        }

        // One image, the same manifest in both; only the target asked for ran.
        Assert.Single(digests.Distinct());
        Assert.Matches(SummaryRow("Mirror", "Succeeded"), Plain(run));
        Assert.DoesNotMatch(SummaryRow("Push", ""), Plain(run));
    }

    [Fact]
    public async Task Help_lists_the_build_parameters()
    {
        var run = await RunAsync("--help");

        run.EnsureSucceeded();
        foreach (var (parameter, description) in new[]
        {
            ("--source-image", "The local image to push, name:tag"),
            ("--repository", "The ECR repository to push to"),
            ("--tags", "The tags to push the image as"),
            ("--output-variable", "A CI variable to set to the pushed reference"),
            ("--regions", "The regions Mirror pushes to, all at once"),
            ("--deployment-file", "Where Deploy writes the pushed reference and digest"),
        })
        {
            Assert.Matches(new Regex($@"^\s*{Regex.Escape(parameter)}\s+{Regex.Escape(description)}", RegexOptions.Multiline), run.Output);
        }

        Assert.Matches(new Regex(@"^\s*Push\s*$", RegexOptions.Multiline), Plain(run));
        Assert.Matches(new Regex(@"^\s*Deploy \(default\)\s+-> Push\s*$", RegexOptions.Multiline), Plain(run));
        Assert.Matches(new Regex(@"^\s*Mirror\s*$", RegexOptions.Multiline), Plain(run));
    }

    [Fact]
    public async Task Nukes_log_shows_the_push_steps_in_its_own_format()
    {
        await Stack.BuildImageAsync("nuke-log:3.0", layers: 2);
        var repository = NewRepository("log");

        var run = await RunAsync("--source-image", "nuke-log:3.0", "--repository", repository, "--tags", "3.0", "--deployment-file", DeploymentFile(), "--verbosity", "verbose");

        run.EnsureSucceeded();

        // The library's messages (src/EcrPush/Internal/Pusher.cs) through Serilog's static Log, as Nuke writes its
        // own: a time, a level, the message.
        AssertLogged(run, "INF", $"Pushing image nuke-log:3.0 to the ECR repository {repository} as 3.0");
        AssertLogged(run, "INF", "Found image nuke-log:3.0: ");
        AssertLogged(run, "INF", $"Created the repository {Host}/{repository}");
        AssertLogged(run, "INF", $"Pushed {Host}/{repository}:3.0 (sha256:");

        // Nuke's --verbosity reaches the library: verbose shows its detail too.
        AssertLogged(run, "VRB", $"Region {Region} (the environment variable AWS_REGION); credentials from the environment variables");
        Assert.DoesNotContain(LocalEcrStack.RegistryPassword, run.Output, StringComparison.Ordinal);
    }

    internal static void AssertLogged(CommandResult run, string level, string message) =>
        Assert.True(
            run.Lines.Any(line => Regex.IsMatch(line, $@"^\d\d:\d\d:\d\d \[{level}\] ") && line.Contains(message, StringComparison.Ordinal)),
            $"No [{level}] line with '{message}' in Nuke's output:\n{run.Output}");

    internal static string NewRepository(string name) => $"nuke/{name}-{Guid.NewGuid():N}"[..(name.Length + 14)];

    internal static (string Reference, string Digest) ReadDeployment(string path)
    {
        Assert.True(File.Exists(path), $"Deploy did not write {path}");
        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        return (lines[0], lines[1]);
    }

    /// <summary>The output without the colours Nuke writes even with NO_COLOR set.</summary>
    internal static string Plain(CommandResult run) => AnsiEscape().Replace(run.Output, "");

    // A row of Nuke's summary table: the target's name, its status, and what follows on the row.
    private static Regex SummaryRow(string target, string status, string rest = "") =>
        new($@"^\s*{target}\s+{status}\b.*{Regex.Escape(rest)}", RegexOptions.Multiline);

    [GeneratedRegex(@"\u001b\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    private string DeploymentFile() => Path.Combine(fixture.NewDirectory("deploy"), "deployment.txt");

    private async Task<CommandResult> RunAsync(params string[] arguments)
    {
        var run = await fixture.RunBuildAsync(null, arguments);
        output.WriteLine($"{fixture.Preparation}; the build {string.Join(' ', arguments)} took {run.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(run.Output);
        return run;
    }
}
