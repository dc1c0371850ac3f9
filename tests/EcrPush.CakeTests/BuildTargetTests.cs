using Ecr.TestStack;
using Xunit.Abstractions;

namespace Ecr.CakeTests;

/// <summary>
/// The project's own build targets (a Nuke build) that dogfood EcrPush, run as a person runs them: <c>./build.sh Target …</c>.
/// Push reaches the fixture's stand-in through the environment, as it would reach AWS; Demo starts one of its own.
/// </summary>
[Collection(BuildTargetCollectionDefinition.Name)]
public sealed partial class BuildTargetTests(BuildTargetFixture fixture, ITestOutputHelper output)
{
    private LocalEcrStack Stack => fixture.Stack;

    [Fact]
    public async Task The_Push_target_splits_the_source_image_and_pushes_every_tag_given_to_the_region_given()
    {
        await Stack.BuildImageAsync("cake-target-web:3.1.0", layers: 2);
        var repository = $"cake/push-target-{Guid.NewGuid():N}"[..28];
        const string region = "eu-west-1";

        var run = await RunAsync(
            "Push", "--source-image", "cake-target-web:3.1.0", "--repository", repository,
            "--tag", "3.1.0", "--tag", "stable", "candidate", "--region", region, "--create-repository");

        run.EnsureSucceeded();
        var host = Stack.RegistryHost(region);
        Assert.Contains($"Pushed {host}/{repository}:3.1.0, {host}/{repository}:stable, {host}/{repository}:candidate", run.Output, StringComparison.Ordinal);
        Assert.Contains($"Digest {host}/{repository}@sha256:", run.Output, StringComparison.Ordinal);
        Assert.Equal(["3.1.0", "candidate", "stable"], await fixture.RegistryTagsAsync(region, repository));
        Assert.DoesNotContain(LocalEcrStack.RegistryPassword, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_Push_target_without_its_arguments_says_what_it_needs_before_building_anything()
    {
        var run = await RunAsync("Push", "--repository", "team/web");

        Assert.True(run.ExitCode != 0, $"Push without --source-image exited with 0:\n{run.Output}");
        Assert.Contains("Push needs --source-image and --repository", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("EcrPush ->", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_Demo_target_pushes_pulls_back_the_same_image_and_stops_its_stand_in()
    {
        var run = await RunAsync("Demo");

        run.EnsureSucceeded();

        // Nuke starts each log line with the time and the level: "06:55:00 [INF] ".
        var lines = run.Lines.Select(line => NukeLogPrefix().Replace(line, "").Trim()).ToList();
        var reference = Assert.Single(lines, line => line.StartsWith("pushed reference: ", StringComparison.Ordinal));
        Assert.EndsWith(".dkr.ecr.us-east-1.amazonaws.com/demo/web:1.0.0", reference, StringComparison.Ordinal);
        var digest = Assert.Single(lines, line => line.StartsWith("digest: ", StringComparison.Ordinal))["digest: ".Length..].Trim();
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
        Assert.Contains(lines, line => line.StartsWith("pulled ", StringComparison.Ordinal) && line.EndsWith("/demo/web@" + digest, StringComparison.Ordinal));

        // The SBOM it attached, as the registry lists it (docker-registry: under the sha256-<hex> tag).
        Assert.Contains($"referrers of {digest}, as the registry lists them (the tag schema", run.Output, StringComparison.Ordinal);
        Assert.Matches("^referrer: sha256:[0-9a-f]{64} application/vnd.cyclonedx\\+json$", Assert.Single(lines, line => line.StartsWith("referrer: ", StringComparison.Ordinal)));
        Assert.Contains(lines, line => line.EndsWith("the same image as built in step 2", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("stopped;", StringComparison.Ordinal));
        Assert.DoesNotContain(LocalEcrStack.RegistryPassword, run.Output, StringComparison.Ordinal);

        // Stopped for real: nothing runs from the Demo's stack folder any more, and the folder is gone.
        var engineLine = Assert.Single(lines, line => line.Contains("Docker engine unix://", StringComparison.Ordinal));
        var stateDirectory = Path.GetDirectoryName(engineLine[(engineLine.IndexOf("unix://", StringComparison.Ordinal) + "unix://".Length)..].Trim())!;
        Assert.False(Directory.Exists(stateDirectory), $"The Demo left {stateDirectory} behind");
        Assert.Empty(ProcessesMentioning(stateDirectory));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d\d:\d\d:\d\d \[[A-Z]{3}\] ")]
    private static partial System.Text.RegularExpressions.Regex NukeLogPrefix();

    private static IReadOnlyList<string> ProcessesMentioning(string text) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Where(directory => int.TryParse(Path.GetFileName(directory), out _))
            .Select(directory =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                }
                catch (IOException)
                {
                    return ""; // The process ended meanwhile.
                }
            })
            .Where(commandLine => commandLine.Contains(text, StringComparison.Ordinal))];

    private async Task<CommandResult> RunAsync(params string[] arguments)
    {
        var run = await fixture.RunBuildScriptAsync([.. arguments, "--root", fixture.NukeRoot]);
        output.WriteLine($"{fixture.Preparation}; ./build.sh {string.Join(' ', arguments)} took {run.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(run.Output);
        return run;
    }
}
