using System.Text;
using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Images;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.WaysIn;

/// <summary>
/// ECR's archive storage class (November 2025): an archived source image is a named error that says how to restore it; a
/// push that brings an archived digest back says so in the result; lifecycle policies with the archive's rules pass the
/// settings check, and a malformed archive rule is named before any call.
/// </summary>
public sealed class ArchiveTests : IDisposable
{
    private const string ImageId = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Digest = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private readonly FakeEcr _ecr = new();
    private readonly FakeDockerEngine _engine = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private readonly FakeRegistry _registry = new();

    public ArchiveTests()
    {
        _engine.Tags["web:1"] = ImageId;
        _engine.Registry = _registry;
    }

    public void Dispose() => _registry.Dispose();

    private Pusher CreatePusher() => new(_ecr, _ => _engine, new TokenCache(_environment), _environment, _log) { RegistryHandler = () => _registry, RetryPolicy = TestRegistries.NoWaits };

    private static EcrPushSettings Promotion => new EcrPushSettings().SetRegion("us-east-1").SetSourceRepositoryName("team/web").SetSourceImageTag("rc").SetRepositoryName("team/web").SetTargetTags("1.0");

    [Fact]
    public async Task Promoting_an_archived_image_is_a_named_error_that_says_how_to_restore_it()
    {
        _ecr.AddRepository("team/web");
        _ecr.SetImageStatus("team/web", "rc", new EcrImageStatus(Digest, EcrImageStatus.Archived, new DateTimeOffset(2026, 3, 1, 10, 30, 0, TimeSpan.Zero), null));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(Promotion, CancellationToken.None));

        Assert.Empty(_ecr.PutImages);
        await Verify(exception.Message);
    }

    [Fact]
    public async Task Promoting_an_image_that_is_being_restored_says_to_wait()
    {
        _ecr.AddRepository("team/web");
        _ecr.SetImageStatus("team/web", "rc", new EcrImageStatus(Digest, EcrImageStatus.Activating, DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(Promotion, CancellationToken.None));

        Assert.StartsWith($"The source image {FakeEcr.Host}/team/web:rc ({Digest}) is being restored from ECR's archive (ACTIVATING)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_image_that_is_not_archived_keeps_its_own_message()
    {
        _ecr.AddRepository("team/web");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(Promotion, CancellationToken.None));

        Assert.Contains("no image has that tag", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(-60, false)]
    public async Task A_push_that_brings_an_archived_digest_back_says_so_in_the_result(int activatedMinutesAgo, bool restored)
    {
        _ecr.AddRepository("team/web");
        _engine.OnPush = (_, tag) =>
        {
            var digest = _registry.AddImage(FakeEcr.Host, "team/web", tag, ImageId);
            _ecr.SetImageStatus("team/web", digest, new EcrImageStatus(digest, EcrImageStatus.Active, DateTimeOffset.UtcNow.AddDays(-100), DateTimeOffset.UtcNow.AddMinutes(activatedMinutesAgo)));
            return Task.FromResult(digest);
        };

        var result = await CreatePusher().PushAsync(new EcrPushSettings().SetRegion("us-east-1").SetSourceImageName("web:1").SetRepositoryName("team/web"), CancellationToken.None);

        Assert.Equal(restored, result.FirstDestination.RestoredFromArchive);
        Assert.Equal(restored, _log.Lines.Any(l => l.Contains("this push restored it to the standard storage class", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_lifecycle_policy_with_the_archive_s_rules_passes_the_check_as_given()
    {
        const string Policy = """{"rules":[{"rulePriority":1,"description":"archive what nobody pulled for 90 days","selection":{"tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":90},"action":{"type":"transition","targetStorageClass":"archive"}},{"rulePriority":2,"selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":365},"action":{"type":"expire"}}]}""";

        var plan = SettingsValidator.Validate(new EcrPushSettings().SetSourceImageName("web:1").SetRepositoryName("team/web").EnableAutoCreateRepository().SetLifecyclePolicy(Policy));

        Assert.Equal(Policy, plan.RepositoryOptions.LifecyclePolicy);
    }

    [Fact]
    public Task A_malformed_archive_rule_is_named_before_any_call()
    {
        const string Policy = """{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":90},"action":{"type":"transition"}},{"rulePriority":2,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":9},"action":{"type":"transition","targetStorageClass":"glacier"}},{"rulePriority":3,"selection":{"tagStatus":"any","storageClass":"cold","countType":"imageCountMoreThan","countNumber":9},"action":{"type":"expire","targetStorageClass":"archive"}}]}""";

        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(new EcrPushSettings().SetSourceImageName("web:1").SetRepositoryName("team/web").EnableAutoCreateRepository().SetLifecyclePolicy(Policy)));

        return Verify(exception.Message);
    }
}
