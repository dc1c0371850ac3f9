using Ecr.TestStack;
using Xunit.Abstractions;

namespace Ecr.NukeTests;

/// <summary>
/// The same build on a CI agent (Azure Pipelines, GitHub Actions, TeamCity), as the CI's variables tell both Nuke and EcrPush: Nuke switches to that host's
/// formatting and EcrPush sets <c>--output-variable</c>. The variable is set exactly once, and no secret shows
/// anywhere but in the CI's own masking command, which must start its line for the agent to act on it.
/// </summary>
[Collection(NukeBuildCollectionDefinition.Name)]
public sealed class CiHostTests(NukeBuildFixture fixture, ITestOutputHelper output)
{
    private const string Variable = "WEB_IMAGE";

    // The files a GitHub Actions runner gives each step, by their variables.
    private static readonly string[] RunnerFiles = ["GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY", "GITHUB_PATH", "GITHUB_STATE"];

    private LocalEcrStack Stack => fixture.Stack;

    [Fact]
    public async Task On_Azure_Pipelines_the_output_variable_is_set_once_and_no_secret_shows()
    {
        await Stack.BuildImageAsync("nuke-azp:1.0");
        var deployment = Path.Combine(fixture.NewDirectory("azp"), "deployment.txt");

        var run = await RunAsync(
            new Dictionary<string, string?> { ["TF_BUILD"] = "True" },
            "--source-image", "nuke-azp:1.0", "--repository", NukeBuildTests.NewRepository("azp"), "--tags", "1.0", "latest",
            "--output-variable", Variable, "--deployment-file", deployment);

        run.EnsureSucceeded();
        var (reference, _) = NukeBuildTests.ReadDeployment(deployment);

        // Nuke runs as its Azure Pipelines host (a collapsible group per target) ...
        Assert.Contains(run.Lines, line => line.StartsWith("##[group]", StringComparison.Ordinal) && line.Contains("Push", StringComparison.Ordinal));

        // ... and the logging command that sets the variable comes once, at the start of its line, with the first reference.
        var commands = run.Lines.Where(line => line.Contains($"##vso[task.setvariable variable={Variable}", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"##vso[task.setvariable variable={Variable}]{reference}"], commands);
        AssertSecretsOnlyIn(run, "##vso[task.setsecret]");
    }

    [Fact]
    public async Task On_GitHub_Actions_the_output_and_environment_variable_are_written_once_and_no_secret_shows()
    {
        await Stack.BuildImageAsync("nuke-gha:1.0");
        var deployment = Path.Combine(fixture.NewDirectory("gha"), "deployment.txt");

        // The files and folders an Actions runner gives a step, all in a folder of this test: Nuke's GitHub host and
        // EcrPush may both write there.
        var runner = fixture.NewDirectory("runner");
        var files = RunnerFiles.ToDictionary(name => name, name => Path.Combine(runner, name));
        foreach (var file in files.Values)
        {
            await File.WriteAllTextAsync(file, "");
        }

        var environment = new Dictionary<string, string?>(files.Select(file => KeyValuePair.Create(file.Key, (string?)file.Value)))
        {
            ["GITHUB_ACTIONS"] = "true",
            ["CI"] = "true",
            ["GITHUB_WORKSPACE"] = fixture.BuildRoot,
            ["RUNNER_TEMP"] = Directory.CreateDirectory(Path.Combine(runner, "temp")).FullName,
            ["RUNNER_OS"] = "Linux",
        };

        var run = await RunAsync(
            environment,
            "--source-image", "nuke-gha:1.0", "--repository", NukeBuildTests.NewRepository("gha"), "--tags", "1.0", "latest",
            "--output-variable", Variable, "--deployment-file", deployment);

        run.EnsureSucceeded();
        var (reference, _) = NukeBuildTests.ReadDeployment(deployment);

        // Nuke runs as its GitHub Actions host (a group per target).
        Assert.Contains(run.Lines, line => line.StartsWith("::group::", StringComparison.Ordinal) && line.Contains("Push", StringComparison.Ordinal));

        // One entry each in the step's output and environment files, naming the first reference; none in the log.
        foreach (var file in new[] { "GITHUB_OUTPUT", "GITHUB_ENV" })
        {
            var entries = (await File.ReadAllLinesAsync(files[file])).Where(line => line.StartsWith(Variable + "=", StringComparison.Ordinal) || line.StartsWith(Variable + "<<", StringComparison.Ordinal)).ToList();
            Assert.True(entries.SequenceEqual([$"{Variable}={reference}"]), $"{file} holds {entries.Count} entries for {Variable}: {string.Join(" | ", entries)}");
        }

        Assert.DoesNotContain(run.Lines, line => line.Contains($"::set-output name={Variable}", StringComparison.Ordinal));
        AssertSecretsOnlyIn(run, "::add-mask::");
        foreach (var file in files.Values)
        {
            Assert.DoesNotContain(LocalEcrStack.RegistryPassword, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task On_TeamCity_the_parameter_is_set_once_and_no_secret_shows()
    {
        await Stack.BuildImageAsync("nuke-tc:1.0");
        var deployment = Path.Combine(fixture.NewDirectory("tc"), "deployment.txt");

        var run = await RunAsync(
            new Dictionary<string, string?> { ["TEAMCITY_VERSION"] = "2025.07" },
            "--source-image", "nuke-tc:1.0", "--repository", NukeBuildTests.NewRepository("tc"), "--tags", "1.0",
            "--output-variable", Variable, "--deployment-file", deployment);

        run.EnsureSucceeded();
        var (reference, _) = NukeBuildTests.ReadDeployment(deployment);

        // Nuke runs as its TeamCity host (its own service messages) ...
        Assert.Contains(run.Lines, line => line.StartsWith("##teamcity[", StringComparison.Ordinal) && !line.Contains(Variable, StringComparison.Ordinal));

        // ... and the service message that sets the parameter comes once, at the start of its line.
        var messages = run.Lines.Where(line => line.Contains($"##teamcity[setParameter name='env.{Variable}'", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"##teamcity[setParameter name='env.{Variable}' value='{reference}']"], messages);

        // TeamCity has no command to mask a value at run time: the secrets must not be there at all.
        Assert.DoesNotContain(LocalEcrStack.RegistryPassword, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Stack.AwsEnvironment["AWS_SECRET_ACCESS_KEY"], run.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The registry password (what the ECR token decodes to) and the AWS secret key appear only in <paramref name="maskCommand"/>
    /// lines, which the agent swallows, never in a line it shows; and the password is masked before the push uses it.
    /// </summary>
    private void AssertSecretsOnlyIn(CommandResult run, string maskCommand)
    {
        foreach (var secret in new[] { LocalEcrStack.RegistryPassword, Stack.AwsEnvironment["AWS_SECRET_ACCESS_KEY"] })
        {
            var shown = run.Lines.Where(line => line.Contains(secret, StringComparison.Ordinal) && !line.StartsWith(maskCommand, StringComparison.Ordinal)).ToList();
            Assert.True(shown.Count == 0, $"A secret shows in {shown.Count} lines of the log, outside {maskCommand}:\n{string.Join('\n', shown)}");
        }

        var masked = run.Lines.ToList().FindIndex(line => line == maskCommand + LocalEcrStack.RegistryPassword);
        var pushing = run.Lines.ToList().FindIndex(line => line.Contains("Pushing 123456789012.dkr.ecr.", StringComparison.Ordinal));
        Assert.True(masked >= 0 && masked < pushing, $"The registry password was not masked before the push (mask at line {masked}, push at line {pushing})");
    }

    private async Task<CommandResult> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var run = await fixture.RunBuildAsync(environment, arguments);
        output.WriteLine($"{fixture.Preparation}; {string.Join(' ', environment.Keys.Where(name => name is "TF_BUILD" or "GITHUB_ACTIONS" or "TEAMCITY_VERSION"))} the build {string.Join(' ', arguments)} took {run.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(run.Output);
        return run;
    }
}
