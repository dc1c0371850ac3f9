using Ecr.IntegrationTests.Sources;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.Referrers;

/// <summary>
/// ECR's managed signing after a push, through the stack's ECR API (moto, with the signing operations answered by
/// <see cref="ManagedSigningStandIn"/> as the ECR API reference shapes them): complete after a while, failed with ECR's
/// reason, still in progress at the timeout, and a registry that signs nothing of the repository, where no status is
/// asked for and nothing waited for.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class ManagedSigningTests(StackFixture fixture) : IDisposable
{
    private const string Region = "us-east-1";
    private const string Profile = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/release";
    private readonly ScratchFolders _folders = new();

    private LocalEcrStack Stack => fixture.Stack;

    public void Dispose() => _folders.Dispose();

    [Fact]
    public async Task The_wait_ends_when_the_signing_is_complete_and_the_result_carries_it()
    {
        var (layout, repository) = await InputsAsync("signed");
        using var rule = Stack.Signing.AddRule(Region, Profile, repository, call => call < 3 ? SigningOutcome.InProgress : SigningOutcome.Complete);

        var result = await SourceTools.PushAsync(Stack, Settings(layout, repository).EnableWaitForSigning().SetSigningTimeout(TimeSpan.FromSeconds(30)));

        Assert.Equal([new EcrImageSigningStatus(Profile, EcrSigningStatus.Complete)], result.FirstDestination.Signing);
        Assert.Equal(3, Stack.Signing.StatusCalls(Region, repository, result.Digest));
    }

    [Fact]
    public async Task A_failed_signing_fails_the_push_naming_the_destination_the_digest_and_ECR_s_reason()
    {
        var (layout, repository) = await InputsAsync("unsigned");
        using var rule = Stack.Signing.AddRule(Region, Profile, repository, _ => SigningOutcome.Failed("SIGNING_PROFILE_REVOKED", "The signing profile was revoked."));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => SourceTools.PushAsync(Stack, Settings(layout, repository)));

        var landed = Assert.Single(exception.Landed);
        Assert.StartsWith($"ECR's managed signing of {Stack.RegistryHost(Region)}/{repository}@{landed.Digest} failed (signing profile {Profile}): SIGNING_PROFILE_REVOKED: The signing profile was revoked. The image is not signed.", exception.Message, StringComparison.Ordinal);
        Assert.Equal(["latest"], await StackChecks.RegistryTagsAsync(Stack, Region, repository));
    }

    [Fact]
    public async Task A_signing_still_in_progress_at_the_timeout_fails_the_push_within_the_timeout()
    {
        var (layout, repository) = await InputsAsync("slow");
        using var rule = Stack.Signing.AddRule(Region, Profile, repository, _ => SigningOutcome.InProgress);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => SourceTools.PushAsync(Stack, Settings(layout, repository).EnableWaitForSigning().SetSigningTimeout(TimeSpan.FromSeconds(3))));

        Assert.Contains("was not done after 3 s (SigningTimeout): InProgress", exception.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30));
        Assert.Single(exception.Landed);
    }

    [Fact]
    public async Task Where_no_rule_names_the_repository_no_status_is_asked_for_and_nothing_is_waited_for()
    {
        var (layout, repository) = await InputsAsync("nosigning");
        using var other = Stack.Signing.AddRule(Region, Profile, "it/somewhere-else-*", _ => SigningOutcome.InProgress);

        var result = await SourceTools.PushAsync(Stack, Settings(layout, repository).EnableWaitForSigning());

        Assert.Empty(result.FirstDestination.Signing);
        Assert.Equal(0, Stack.Signing.StatusCalls(Region, repository, result.Digest));
    }

    private static EcrPushSettings Settings(string layout, string repository)
        => new EcrPushSettings().SetRegion(Region).SetSourceOciLayout(layout).SetRepositoryName(repository).EnableAutoCreateRepository();

    private async Task<(string Layout, string Repository)> InputsAsync(string name)
    {
        var layout = Path.Combine(_folders.New(name), "oci");
        await TestLayout.WriteAsync(layout, "1", 16 * 1024);
        return (layout, StackChecks.NewRepository(name));
    }
}
