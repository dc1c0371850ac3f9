using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Tests.Fakes;
using Ecr.Tests.Sources;

namespace Ecr.Tests.Referrers;

/// <summary>
/// ECR's managed signing after a push, on the fake ECR: the status reported where a signing rule names the repository,
/// waited for on request up to SigningTimeout (on the test's clock), a failure named with ECR's reason, and nothing asked
/// at all where the registry signs nothing.
/// </summary>
public sealed class ManagedSigningTests : IDisposable
{
    private const string Repository = "team/web";
    private const string Profile = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/release";

    private readonly FakeEcr _ecr = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private readonly FakeRegistry _registry = new();
    private readonly TestLayout _layout = new();

    public ManagedSigningTests() => _ecr.AddRepository(Repository);

    public void Dispose()
    {
        _registry.Dispose();
        _layout.Dispose();
    }

    [Fact]
    public async Task A_registry_without_a_signing_configuration_is_not_asked_for_a_status_or_waited_for()
    {
        await LayoutAsync();

        var result = await Pusher().PushAsync(Settings().EnableWaitForSigning(), CancellationToken.None);

        Assert.Empty(result.FirstDestination.Signing);
        Assert.Equal(1, _ecr.SigningConfigurationCalls);
        Assert.Empty(_ecr.SigningStatusCalls);
        Assert.Contains($"INF {FakeEcr.Host} has no signing configuration: ECR does not sign {Repository}'s images, nothing to wait for", _log.Lines);
    }

    [Fact]
    public async Task A_rule_for_other_repositories_is_no_signing_of_this_one()
    {
        await LayoutAsync();
        _ecr.SigningConfiguration = new EcrSigningConfiguration([new EcrSigningRule(Profile, ["team/api*", "prod/*"])]);

        var result = await Pusher().PushAsync(Settings(), CancellationToken.None);

        Assert.Empty(result.FirstDestination.Signing);
        Assert.Empty(_ecr.SigningStatusCalls);
    }

    [Fact]
    public async Task Without_the_wait_the_status_right_after_the_push_is_reported_as_it_is()
    {
        var image = await LayoutAsync();
        _ecr.SigningConfiguration = new EcrSigningConfiguration([new EcrSigningRule(Profile, [])]);
        _ecr.SigningStatuses = _ => [new EcrImageSigningStatus(Profile, EcrSigningStatus.InProgress)];

        var result = await Pusher().PushAsync(Settings(), CancellationToken.None);

        Assert.Equal([new EcrImageSigningStatus(Profile, EcrSigningStatus.InProgress)], result.FirstDestination.Signing);
        Assert.Equal([("us-east-1", Repository, image)], _ecr.SigningStatusCalls);
    }

    [Fact]
    public async Task The_wait_polls_until_every_profile_is_complete()
    {
        await LayoutAsync();
        _ecr.SigningConfiguration = new EcrSigningConfiguration([new EcrSigningRule(Profile, ["team/*"])]);
        _ecr.SigningStatuses = call => call.Call switch
        {
            1 => [],
            < 4 => [new EcrImageSigningStatus(Profile, EcrSigningStatus.InProgress)],
            _ => [new EcrImageSigningStatus(Profile, EcrSigningStatus.Complete)],
        };

        var result = await WhileTimePassesAsync(Pusher().PushAsync(Settings().EnableWaitForSigning(), CancellationToken.None));

        Assert.Equal([new EcrImageSigningStatus(Profile, EcrSigningStatus.Complete)], result.FirstDestination.Signing);
        Assert.Equal(4, _ecr.SigningStatusCalls.Count);
    }

    [Fact]
    public async Task A_failed_signing_fails_the_push_with_ECR_s_reason_and_the_image_it_pushed()
    {
        var image = await LayoutAsync();
        _ecr.SigningConfiguration = new EcrSigningConfiguration([new EcrSigningRule(Profile, [])]);
        _ecr.SigningStatuses = _ => [new EcrImageSigningStatus(Profile, EcrSigningStatus.Failed, "SIGNING_PROFILE_REVOKED", "The signing profile was revoked.")];

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Pusher().PushAsync(Settings().EnableWaitForSigning(), CancellationToken.None));

        var landed = Assert.Single(exception.Landed);
        Assert.Equal(image, landed.Digest);
        Assert.Equal(EcrSigningStatus.Failed, Assert.Single(landed.Signing).Status);
        await Verify(exception.Message);
    }

    [Fact]
    public async Task A_signing_still_in_progress_at_the_timeout_fails_the_push_once_the_timeout_has_passed()
    {
        await LayoutAsync();
        _ecr.SigningConfiguration = new EcrSigningConfiguration([new EcrSigningRule(Profile, [])]);
        // The timeout counts from the first status asked; the clock also moves while the image uploads (the test advances it
        // every few milliseconds of real time), so the wait is measured from that first call, not from the test's start.
        DateTimeOffset? started = null;
        _ecr.SigningStatuses = _ =>
        {
            started ??= _environment.Time.GetUtcNow();
            return [new EcrImageSigningStatus(Profile, EcrSigningStatus.InProgress)];
        };

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => WhileTimePassesAsync(Pusher().PushAsync(Settings().EnableWaitForSigning().SetSigningTimeout(TimeSpan.FromSeconds(20)), CancellationToken.None)));

        Assert.InRange(_environment.Time.GetUtcNow() - started!.Value, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(21));
        Assert.Single(exception.Landed);
        await Verify(exception.Message);
    }

    [Fact]
    public async Task A_configuration_this_identity_may_not_read_is_no_error_unless_the_wait_was_asked_for()
    {
        await LayoutAsync();
        _ecr.SigningConfiguration = EcrSigningConfiguration.None with { Unreadable = "AccessDeniedException: not authorized to perform ecr:GetSigningConfiguration" };

        var result = await Pusher().PushAsync(Settings(), CancellationToken.None);
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Pusher().PushAsync(Settings().EnableWaitForSigning(), CancellationToken.None));

        Assert.Empty(result.FirstDestination.Signing);
        Assert.StartsWith($"WaitForSigning is on, but the signing configuration of {FakeEcr.Host} cannot be read (AccessDeniedException: not authorized to perform ecr:GetSigningConfiguration). Grant ecr:GetSigningConfiguration and ecr:DescribeImageSigningStatus, or turn WaitForSigning off. The image was pushed: ", exception.Message, StringComparison.Ordinal);
    }

    private EcrPushSettings Settings() => new EcrPushSettings().SetSourceOciLayout(_layout.Path).SetRepositoryName(Repository);

    private Pusher Pusher() => new(_ecr, _ => throw new InvalidOperationException("no engine"), new TokenCache(_environment), _environment, _log) { RegistryHandler = () => _registry, RetryPolicy = TestRegistries.NoWaits };

    private async Task<string> LayoutAsync()
    {
        var manifest = _layout.Manifest(withMediaType: true, layerText: "signed");
        _layout.Entry(manifest, TestLayout.OciManifest, refName: null);
        await _layout.WriteIndexAsync();
        return manifest;
    }

    /// <summary>Moves the test's clock a second at a time until the push is over: the waits between polls pass as they come.</summary>
    private async Task<T> WhileTimePassesAsync<T>(Task<T> push)
    {
        for (var step = 0; !push.IsCompleted && step < 1000; step++)
        {
            await Task.Delay(5);
            _environment.Time.Advance(TimeSpan.FromSeconds(1));
        }

        return await push;
    }
}
