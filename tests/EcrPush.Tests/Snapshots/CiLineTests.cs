using Ecr.Internal.Ci;
using Ecr.Tests.Fakes;
using Serilog.Events;

namespace Ecr.Tests.Snapshots;

/// <summary>
/// What each CI reads from a push: its service messages (masks, variables) and the lines around them, exactly. The
/// values carry what each CI's escaping is for: % (Azure Pipelines, GitHub Actions), CR and LF (all three), and
/// | ' [ ] (TeamCity). A push sets a variable to an image reference, so the awkward value stands for what the escapes
/// must survive, not for a value a push sets.
/// </summary>
public sealed class CiLineTests : IDisposable
{
    private const string Reference = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:1.4.2";
    private const string Awkward = "100%|'[done]'\r\nnext line";
    private const string Secret = "pass%word\r\n|'[x]'";

    private readonly RecordingLog _log = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("ecrpush-ci-lines-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public Task Azure_Pipelines_masks_and_sets_variables_with_its_logging_command_escapes()
        => Verify(Run(new FakeEnvironment(new Dictionary<string, string> { ["TF_BUILD"] = "True" })));

    // The files take NAME=value lines with no escaping; a value with a line break would need the NAME<<delimiter form.
    // A push's value, an image reference, has none: the snapshot shows what such a value would do.
    [Fact]
    public async Task GitHub_Actions_masks_with_add_mask_and_writes_outputs_and_environment_files()
    {
        var output = Path.Combine(_folder, "github-output");
        var environment = Path.Combine(_folder, "github-env");
        var log = Run(new FakeEnvironment(new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_OUTPUT"] = output, ["GITHUB_ENV"] = environment }));

        await Verify($"{log}\n\n$GITHUB_OUTPUT:\n{Visible(await File.ReadAllTextAsync(output))}\n\n$GITHUB_ENV:\n{Visible(await File.ReadAllTextAsync(environment))}");
    }

    [Fact]
    public Task GitHub_Actions_without_its_files_warns_that_the_step_does_not_look_like_one()
        => Verify(Run(new FakeEnvironment(new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true" })));

    [Fact]
    public Task TeamCity_sets_parameters_with_its_service_message_escapes_and_has_no_mask_command()
        => Verify(Run(new FakeEnvironment(new Dictionary<string, string> { ["TEAMCITY_VERSION"] = "2025.07" })));

    [Fact]
    public Task Without_a_CI_nothing_is_masked_and_the_variable_is_only_named()
        => Verify(Run(new FakeEnvironment()));

    // A mask and two variables, as a push does them: the token's password first, the pushed reference last.
    private string Run(FakeEnvironment environment)
    {
        var ci = CiService.Detect(environment);
        ci.MaskSecret(Secret, _log);
        ci.SetVariable("ECR_IMAGE", Reference, _log);
        ci.SetVariable("ECR_AWKWARD", Awkward, _log);
        return _log.ShownAt(LogEventLevel.Information);
    }

    // A file's line breaks are its own; a CR, and the LF that ends each line, show, so that a value that breaks a line shows.
    private static string Visible(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n\n", StringComparison.Ordinal).TrimEnd('\n');
}
