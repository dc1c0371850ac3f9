using Ecr.Internal;
using Ecr.Internal.Aws.Runtime;
using Ecr.Internal.Docker;
using Ecr.Tests.Fakes;

namespace Ecr.Tests;

/// <summary>
/// The errors a new user meets first, each with the fix it offers, as whole texts pinned by a snapshot beside this file
/// (ErrorMessageTests.*.verified.txt): a change of wording shows there. Each is one EcrPushException before any network
/// call, with its lines short enough for a CI log.
/// </summary>
public sealed class ErrorMessageTests : IDisposable
{
    private static readonly EcrPushSettings Valid = new EcrPushSettings().SetSourceImageName("web:1.4.2").SetRepositoryName("team/web");

    private readonly AwsHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public Task A_tag_with_SemVer_build_metadata_is_told_to_use_a_dash_or_underscore_and_which_tools_write_a_plus()
    {
        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(Valid.SetTargetTags("1.4.2+build.7")));

        return Verify(exception.Message);
    }

    [Fact]
    public Task A_repository_name_with_capitals_is_offered_its_lowercase_form_when_that_is_valid()
    {
        var capitals = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(Valid.SetRepositoryName("Team/Web")));
        var notOnlyCapitals = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(Valid.SetRepositoryName("Team Web")));

        return Verify($"'Team/Web':\n{capitals.Message}\n\n'Team Web':\n{notOnlyCapitals.Message}");
    }

    [Fact]
    public Task Two_sources_are_one_error_that_lists_all_four_kinds()
    {
        var layout = Directory.CreateDirectory(Path.Combine(_home.Path, "layout")).FullName;

        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(Valid.SetSourceOciLayout(layout)));

        Assert.Contains($"SourceOciLayout '{layout}'", exception.Message, StringComparison.Ordinal);
        return Verify(exception.Message);
    }

    [Fact]
    public Task No_source_is_one_error_that_lists_all_four_kinds()
    {
        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(new EcrPushSettings().SetRepositoryName("team/web")));

        return Verify(exception.Message);
    }

    [Fact]
    public Task SourceImageId_alone_is_enough_and_an_ImageIdentity_that_says_otherwise_is_one_named_error()
    {
        var plan = SettingsValidator.Validate(new EcrPushSettings().SetSourceImageId("0123456789ab").SetRepositoryName("team/web"));
        var byIdentity = SettingsValidator.Validate(new EcrPushSettings().SetImageIdentity(ImageIdentity.ImageId).SetSourceImageId("0123456789ab").SetRepositoryName("team/web"));
        var contradiction = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(new EcrPushSettings().SetImageIdentity(ImageIdentity.ImageName).SetSourceImageId("0123456789ab").SetRepositoryName("team/web")));

        Assert.Equal(("0123456789ab", true), (plan.EngineSource().Reference, plan.EngineSource().IsId));
        Assert.Equal(("0123456789ab", true), (byIdentity.EngineSource().Reference, byIdentity.EngineSource().IsId));
        return Verify(contradiction.Message);
    }

    [Fact]
    public Task Problems_lists_each_problem_as_the_message_does()
    {
        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(Valid.SetRepositoryName("Team/Web").SetTargetTags("1.4.2+build.7")));

        Assert.Equal(2, exception.Problems.Count);
        Assert.StartsWith("The ECR push settings have 2 problems:", exception.Message, StringComparison.Ordinal);
        Assert.All(exception.Problems, problem => Assert.Contains(problem.ReplaceLineEndings(Environment.NewLine + "    "), exception.Message, StringComparison.Ordinal));
        Assert.Empty(exception.Landed);
        return Verify(string.Join("\n\n", exception.Problems.Select((problem, i) => $"Problems[{i}]:\n{problem}")));
    }

    [Theory]
    [InlineData(true, "the DockerHost setting")]
    [InlineData(false, "DOCKER_HOST")]
    public async Task No_socket_file_at_the_Docker_host_is_said_at_once_naming_where_the_endpoint_came_from(bool setting, string source)
    {
        var socket = Path.Combine(_home.Path, "docker.sock");
        var environment = _home.Environment(("DOCKER_HOST", setting ? "unix:///elsewhere/docker.sock" : "unix://" + socket));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var exception = Assert.Throws<EcrPushException>(() => DockerEngine.Connect(setting ? new Uri("unix://" + socket) : null, new EngineOptions(), environment));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"took {stopwatch.Elapsed}");
        Assert.StartsWith($"There is no Docker engine socket at {socket}: the endpoint unix://{socket} (from {source})", exception.Message, StringComparison.Ordinal);
        await Verify(exception.Message).UseParameters(setting);

        // With the file there, the engine is taken as it is: reaching it is the push's first call.
        await File.WriteAllTextAsync(socket, string.Empty);
        Assert.Equal(new Uri("unix://" + socket), DockerEngine.Connect(setting ? new Uri("unix://" + socket) : null, new EngineOptions(), environment).Endpoint);
    }

    [Fact]
    public async Task No_credentials_is_a_headline_then_one_short_line_per_place_looked_and_the_fix()
    {
        var environment = _home.Environment(("AWS_EC2_METADATA_DISABLED", "true"));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => new AwsCredentialResolver(environment, new RecordingLog()).ResolveAsync(new AwsOptions(), "us-east-1", CancellationToken.None));

        Assert.Contains($"the profile 'default' in {_home.Path}/.aws/credentials and {_home.Path}/.aws/config;", exception.Message, StringComparison.Ordinal);
        Assert.All(exception.Message.Split(Environment.NewLine), line => Assert.True(line.Length <= 200, line));
        await Verify(exception.Message);
    }
}
