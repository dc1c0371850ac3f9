using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.WaysIn;

/// <summary>
/// Repository creation templates applied on push (December 2025), in the repository step: a missing repository that the
/// push may not create goes ahead when a template with CREATE_ON_PUSH covers its name, and is read once ECR made it; with
/// AutoCreateRepository the settings win and the log says so; a caller that may not read the templates is told which
/// permission it lacks and both ways out.
/// </summary>
public sealed class CreateOnPushTests : IDisposable
{
    private const string ImageId = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private readonly FakeEcr _ecr = new();
    private readonly FakeDockerEngine _engine = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private readonly FakeRegistry _registry = new();

    public CreateOnPushTests()
    {
        _engine.Tags["web:1"] = ImageId;
        _engine.Registry = _registry;
    }

    public void Dispose() => _registry.Dispose();

    private static EcrPushSettings Settings => new EcrPushSettings().SetRegion("us-east-1").SetSourceImageName("web:1").SetRepositoryName("team/web").SetTargetTags("1.0");

    private static EcrCreationTemplate OnPush(string prefix, string? mutability = null) => new(prefix, ["REPLICATION", EcrCreationTemplate.CreateOnPush], mutability);

    private Pusher CreatePusher() => new(_ecr, _ => _engine, new TokenCache(_environment), _environment, _log) { RegistryHandler = () => _registry, RetryPolicy = TestRegistries.NoWaits };

    [Theory]
    [InlineData("team/web", "team")]
    [InlineData("team/web/api", "team/web")]
    [InlineData("team/webshop", "team")]
    [InlineData("other/web", "ROOT")]
    [InlineData("teams/web", "ROOT")]
    public void ECR_applies_the_longest_prefix_that_a_slash_ends_else_ROOT(string repository, string prefix)
    {
        EcrCreationTemplate[] templates = [OnPush("ROOT"), OnPush("team"), OnPush("team/web/"), OnPush("tea")];

        Assert.Equal(prefix, EcrCreationTemplate.For(repository, templates)?.Prefix.TrimEnd('/'));
    }

    [Fact]
    public async Task A_missing_repository_that_a_template_covers_is_pushed_to_and_ECR_s_repository_is_reported()
    {
        _ecr.Templates.AddRange([OnPush("team", "IMMUTABLE"), new EcrCreationTemplate("team/web", ["PULL_THROUGH_CACHE"], "MUTABLE")]);
        _engine.OnPush = (repository, tag) =>
        {
            // ECR creates the repository when the push arrives, from the template.
            _ecr.AddRepository("team/web", "IMMUTABLE");
            return Task.FromResult(_registry.AddImage(FakeEcr.Host, "team/web", tag, ImageId));
        };

        var result = await CreatePusher().PushAsync(Settings, CancellationToken.None);

        Assert.Equal("team", result.FirstDestination.RepositoryTemplate);
        Assert.True(result.FirstDestination.RepositoryCreated);
        Assert.Equal([$"{FakeEcr.Host}/team/web:1.0"], result.AllImageReferences);
        Assert.Equal(0, _ecr.CreateCalls);
        Assert.Contains("INF The repository team/web does not exist; ECR creates it on push from the repository creation template 'team' (CREATE_ON_PUSH, IMMUTABLE tags)", _log.Lines);
        Assert.Contains($"INF ECR created the repository {FakeEcr.Host}/team/web on push from the repository creation template 'team' (IMMUTABLE tags)", _log.Lines);
    }

    [Fact]
    public async Task Without_a_template_for_the_name_the_push_stops_before_any_byte_moves()
    {
        _ecr.Templates.AddRange([OnPush("other"), new EcrCreationTemplate("team", ["REPLICATION"], null)]);

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(Settings, CancellationToken.None));

        Assert.Empty(_engine.Pushed);
        await Verify(exception.Message);
    }

    [Fact]
    public async Task A_caller_that_may_not_read_the_templates_is_told_the_permission_and_both_ways_out()
    {
        _ecr.TemplatesDenied = true;

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(Settings, CancellationToken.None));

        Assert.Empty(_engine.Pushed);
        await Verify(exception.Message);
    }

    [Fact]
    public async Task With_AutoCreateRepository_the_settings_win_over_a_matching_template_and_the_log_says_so()
    {
        _ecr.Templates.Add(OnPush("team", "IMMUTABLE"));

        var result = await CreatePusher().PushAsync(Settings.EnableAutoCreateRepository().SetTagMutability(TagMutability.Mutable), CancellationToken.None);

        Assert.Null(result.FirstDestination.RepositoryTemplate);
        Assert.True(result.FirstDestination.RepositoryCreated);
        Assert.Equal("MUTABLE", Assert.Single(_ecr.Creations).TagMutability);
        Assert.Contains("INF The repository creation template 'team' (CREATE_ON_PUSH) covers team/web, but AutoCreateRepository is on: the push creates the repository with its own settings, not the template's", _log.Lines);
    }

    [Fact]
    public async Task With_AutoCreateRepository_a_caller_that_may_not_read_the_templates_still_pushes()
    {
        _ecr.TemplatesDenied = true;

        var result = await CreatePusher().PushAsync(Settings.EnableAutoCreateRepository(), CancellationToken.None);

        Assert.True(result.FirstDestination.RepositoryCreated);
        Assert.Contains(_log.Lines, l => l.StartsWith("VRB Could not read the repository creation templates (ecr:DescribeRepositoryCreationTemplates was denied)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_AutoCreateRepository_templates_that_cannot_be_read_for_another_reason_do_not_stop_the_push()
    {
        _ecr.TemplatesFailure = new EcrPushException("ECR DescribeRepositoryCreationTemplates in us-east-1 failed after 3 attempts: HTTP 500 Internal Server Error.");

        var result = await CreatePusher().PushAsync(Settings.EnableAutoCreateRepository(), CancellationToken.None);

        Assert.True(result.FirstDestination.RepositoryCreated);
        Assert.Contains(_log.Lines, l => l.StartsWith("VRB Could not read the repository creation templates (ECR DescribeRepositoryCreationTemplates in us-east-1 failed after 3 attempts: HTTP 500 Internal Server Error.)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_template_ECR_did_not_apply_is_said_once_the_push_is_over()
    {
        _ecr.Templates.Add(OnPush("team"));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(Settings, CancellationToken.None));

        Assert.StartsWith("The push reached ECR, but the repository team/web still does not exist in the account's registry in us-east-1: ECR did not create it from the repository creation template 'team'.", exception.Message, StringComparison.Ordinal);
    }
}
