using System.Text;
using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Images;
using Ecr.Tests.Fakes;
using Ecr.Tests.Sources;

namespace Ecr.Tests.Referrers;

/// <summary>
/// An image in ECR copied to another region or repository carries its referrers, found through the referrers API where
/// the source registry serves it and through the tag schema where it does not, with the same digests; a promotion within
/// the image's own repository moves none (they are there), and IncludeReferrers off moves none.
/// </summary>
public sealed class ReferrerCopyTests : IDisposable
{
    private const string Repository = "team/web";
    private const string Other = "eu-west-1";

    private readonly FakeEcr _ecr = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private readonly FakeRegistry _registry = new();
    private readonly TestLayout _layout = new();
    private readonly AttachedFiles _files = new();

    public ReferrerCopyTests()
    {
        _ecr.AddRepository(Repository);
        _ecr.AddRepository(Repository, region: Other);
    }

    public void Dispose()
    {
        _registry.Dispose();
        _layout.Dispose();
        _files.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_copy_to_another_region_carries_the_referrers_with_the_same_digests(bool referrersApi)
    {
        _registry.ServesReferrersApi = referrersApi;
        var source = await PushSourceAsync();

        var copy = await Pusher().PushAsync(Copy().SetRegion(Other).SetSourceRegion("us-east-1"), CancellationToken.None);

        Assert.Equal(source.Digest, copy.Digest);
        Assert.Equal(source.FirstDestination.Referrers, copy.FirstDestination.Referrers);
        var listed = referrersApi
            ? _registry.ReferrerDigests(FakeEcr.HostOf(Other), Repository, copy.Digest)
            : _registry.TagSchemaDigests(FakeEcr.HostOf(Other), Repository, copy.Digest);
        Assert.Equal(source.FirstDestination.Referrers.Select(r => r.Digest).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_copy_with_IncludeReferrers_off_carries_none()
    {
        var source = await PushSourceAsync();

        var copy = await Pusher().PushAsync(Copy().SetRegion(Other).SetSourceRegion("us-east-1").DisableIncludeReferrers(), CancellationToken.None);

        Assert.Empty(copy.FirstDestination.Referrers);
        Assert.Empty(_registry.TagSchemaDigests(FakeEcr.HostOf(Other), Repository, source.Digest));
    }

    [Fact]
    public async Task A_promotion_within_the_image_s_repository_moves_no_referrer()
    {
        await PushSourceAsync();
        var before = _registry.Requests.Count;

        var promoted = await Pusher().PushAsync(Copy().SetTargetTags("1.4.2"), CancellationToken.None);

        Assert.Empty(promoted.FirstDestination.Referrers);
        Assert.Empty(_registry.Requests.Skip(before));
    }

    private static EcrPushSettings Copy() => new EcrPushSettings().SetSourceRepositoryName(Repository).SetSourceImageTag("rc").SetRepositoryName(Repository);

    /// <summary>The source: an image in us-east-1 with an SBOM and a provenance attached, known to the ECR API under the tag rc.</summary>
    private async Task<EcrPushResult> PushSourceAsync()
    {
        var manifest = _layout.Manifest(withMediaType: true, layerText: "copied");
        _layout.Entry(manifest, TestLayout.OciManifest, refName: null);
        await _layout.WriteIndexAsync();
        var pushed = await Pusher().PushAsync(
            new EcrPushSettings().SetSourceOciLayout(_layout.Path).SetRepositoryName(Repository).SetTargetTags("rc")
                .AddAttachments(_files.Sbom(), _files.Sbom("provenance.json") with { ArtifactType = EcrAttachment.InTotoJson }),
            CancellationToken.None);
        var bytes = _registry.Manifest(FakeEcr.Host, Repository, "rc")!.Value.Bytes;
        _ecr.AddManifest(Repository, "rc", new EcrManifest(Encoding.UTF8.GetString(bytes), MediaTypes.OciManifest, pushed.Digest, FakeEcr.Account));
        Assert.Equal(2, pushed.FirstDestination.Referrers.Count);
        return pushed;
    }

    private Pusher Pusher() => new(_ecr, _ => throw new InvalidOperationException("no engine"), new TokenCache(_environment), _environment, _log) { RegistryHandler = () => _registry, RetryPolicy = TestRegistries.NoWaits };
}
