using System.Net;
using System.Text;
using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Images;
using Ecr.Internal.Sources;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Sources;

/// <summary>
/// An image already in ECR as the source: its settings and their checks before any network call, the promotion into
/// its own repository through a fake ECR API (PutImage's answers), and the blob GET's redirect without credentials.
/// </summary>
public sealed class EcrImageSourceTests
{
    private const string Digest = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string ImageId = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Manifest = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","size":2},"layers":[]}""";

    private readonly FakeEcr _ecr = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private int _connections;

    private static EcrPushException Invalid(EcrPushSettings settings) => Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(settings));

    private static EcrManifest StoredManifest => new(Manifest, MediaTypes.OciManifest, Sha256.Of(Encoding.UTF8.GetBytes(Manifest)), FakeEcr.Account);

    [Fact]
    public void The_fluent_methods_a_Nuke_build_or_a_Cake_script_calls_set_and_reset_each_setting_and_make_the_plan_source()
    {
        // The Cake alias takes the same configurator (EcrPush(s => s...)) and the same settings record.
        Func<EcrPushSettings, EcrPushSettings> configure = s => s
            .SetSourceRepositoryName("team/web").SetSourceImageTag("rc").SetSourceRegion("eu-west-1").SetSourceRegistryId("210987654321")
            .SetRepositoryName("team/web").SetTargetTags("1.4.2").SetUploadParallelism(5);
        var settings = configure(new EcrPushSettings());

        Assert.Equal(("team/web", "rc", "eu-west-1", "210987654321"), (settings.SourceRepositoryName, settings.SourceImageTag, settings.SourceRegion, settings.SourceRegistryId));
        var source = SettingsValidator.Validate(settings).EcrSource();
        Assert.Equal(new EcrImageSpec("team/web", "rc", null, "eu-west-1", "210987654321") { UploadParallelism = 5 }, source);
        Assert.Equal("the ECR image team/web:rc in registry 210987654321 in eu-west-1", source.ToString());

        var byDigest = settings.ResetSourceImageTag().SetSourceImageDigest(Digest).ResetSourceRegion().ResetSourceRegistryId();
        Assert.Equal(new EcrImageSpec("team/web", null, Digest, null, null) { UploadParallelism = 5 }, SettingsValidator.Validate(byDigest).EcrSource());
        Assert.Equal(Digest, SettingsValidator.Validate(byDigest).EcrSource().Reference);
        Assert.Null(byDigest.ResetSourceImageDigest().SourceImageDigest);
        Assert.Null(byDigest.ResetSourceRepositoryName().SourceRepositoryName);
        Assert.Contains("SourceRepositoryName = team/web, SourceImageDigest = " + Digest, byDigest.ToString(), StringComparison.Ordinal);

        // Without a tag or digest the tag is latest, as for an engine image.
        Assert.Equal("latest", SettingsValidator.Validate(new EcrPushSettings().SetSourceRepositoryName("team/web").SetRepositoryName("team/web")).EcrSource().Reference);
    }

    [Fact]
    public void An_ECR_source_with_another_source_is_one_error_naming_both()
    {
        var exception = Invalid(new EcrPushSettings().SetSourceRepositoryName("team/web").SetSourceImageName("web:1").SetRepositoryName("team/web"));

        Assert.Contains("More than one source image is set (SourceImageName 'web:1', SourceRepositoryName 'team/web'): a push takes exactly one.", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tag_and_digest_names_region_and_account_are_checked_before_any_call()
    {
        var both = Invalid(new EcrPushSettings().SetSourceRepositoryName("team/web").SetSourceImageTag("rc").SetSourceImageDigest(Digest).SetRepositoryName("team/web"));
        var bad = Invalid(new EcrPushSettings().SetSourceRepositoryName("Team/Web").SetSourceImageDigest("sha256:12").SetSourceRegion("europe").SetSourceRegistryId("12").SetRepositoryName("team/web"));
        var badTag = Invalid(new EcrPushSettings().SetSourceRepositoryName("team/web").SetSourceImageTag("1.0+build").SetRepositoryName("team/web"));
        var orphan = Invalid(new EcrPushSettings().SetSourceImageName("web:1").SetSourceImageDigest(Digest).SetRepositoryName("team/web"));
        var whole = Invalid(new EcrPushSettings().SetSourceRepositoryName("team/web").SetPlatforms("linux/amd64").SetRepositoryName("team/web"));

        Assert.Contains($"SourceImageTag 'rc' and SourceImageDigest '{Digest}' are both set: a digest names one image already; set one of them.", both.Message, StringComparison.Ordinal);
        Assert.Contains("SourceRepositoryName 'Team/Web' has capital letters, and ECR's repository names are lowercase: did you mean 'team/web'?", bad.Message, StringComparison.Ordinal);
        Assert.Contains("SourceImageDigest 'sha256:12' does not match the rule: it must be a digest: sha256: and 64 lowercase hex digits", bad.Message, StringComparison.Ordinal);
        Assert.Contains("SourceRegion 'europe' does not match the rule: it must be an AWS region name", bad.Message, StringComparison.Ordinal);
        Assert.Contains("SourceRegistryId '12' does not match the rule: it must be a 12-digit AWS account ID.", bad.Message, StringComparison.Ordinal);
        Assert.Contains("SourceImageTag '1.0+build' has a '+': it must be a Docker tag", badTag.Message, StringComparison.Ordinal);
        Assert.Contains($"SourceImageDigest '{Digest}' is set, which names an image already in ECR, but SourceRepositoryName is not:{Environment.NewLine}    set SourceRepositoryName", orphan.Message, StringComparison.Ordinal);
        Assert.Contains("Platforms or IncludeAttestations is set, but an image already in ECR is pushed whole, so that its digest stays the same", whole.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Into_its_own_repository_each_new_tag_is_a_PutImage_of_the_same_manifest_and_no_registry_is_contacted()
    {
        _ecr.AddRepository("team/web");
        _ecr.AddManifest("team/web", "rc", StoredManifest);
        _ecr.PutImageOutcome = tag => tag == "latest" ? EcrPutImageOutcome.AlreadyThere : EcrPutImageOutcome.Put;

        var result = await CreatePusher().PushAsync(new EcrPushSettings().SetSourceRepositoryName("team/web").SetSourceImageTag("rc").SetRepositoryName("team/web").SetTargetTags("1.4.2", "latest"), CancellationToken.None);

        Assert.Equal(StoredManifest.Digest, result.Digest);
        Assert.Equal([$"{FakeEcr.Host}/team/web:1.4.2", $"{FakeEcr.Host}/team/web:latest"], result.AllImageReferences);
        Assert.Equal([("us-east-1", "team/web", "1.4.2", StoredManifest.Digest)], _ecr.PutImages);
        Assert.Contains(_log.Lines, l => l.Contains($"{FakeEcr.Host}/team/web:latest holds this image ({StoredManifest.Digest}) already: nothing to do", StringComparison.Ordinal));
        Assert.Equal(0, _connections);
    }

    [Fact]
    public async Task An_immutable_tag_that_ECR_refuses_in_PutImage_is_an_error_naming_tag_repository_and_what_was_tagged()
    {
        _ecr.AddRepository("team/web");
        _ecr.AddManifest("team/web", "rc", StoredManifest);
        _ecr.PutImageOutcome = tag => tag == "latest" ? EcrPutImageOutcome.TagImmutable : EcrPutImageOutcome.Put;

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(new EcrPushSettings().SetSourceRepositoryName("team/web").SetSourceImageTag("rc").SetRepositoryName("team/web").SetTargetTags("1.4.2", "latest"), CancellationToken.None));

        Assert.Equal(
            $"ECR refused the tag latest in the repository {FakeEcr.Host}/team/web (PutImage: ImageTagAlreadyExistsException): the tag exists and the repository's tags are immutable. Promote under a new tag (a version or build number), or remove latest from TargetTags. Tagged before the failure: {FakeEcr.Host}/team/web:1.4.2 ({StoredManifest.Digest}); not tagged: latest.",
            exception.Message);
    }

    [Fact]
    public async Task A_missing_source_creates_no_repository()
    {
        _ecr.AddRepository("team/web");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(new EcrPushSettings().SetSourceRepositoryName("team/web").SetSourceImageDigest(Digest).SetRepositoryName("team/other").EnableAutoCreateRepository(), CancellationToken.None));

        Assert.Equal($"The source image team/web@{Digest} is not in {FakeEcr.Host}/team/web (us-east-1): no image has that digest. Check SourceImageDigest (aws ecr list-images --repository-name team/web lists them). Nothing was pushed.", exception.Message);
        Assert.Equal(0, _ecr.CreateCalls);
        Assert.Empty(_ecr.PutImages);
    }

    [Fact]
    public async Task A_blob_GET_follows_the_redirect_to_S3_without_the_registry_credentials()
    {
        var seen = new List<(Uri Uri, string? Authorization)>();
        using var handler = new Answering(request =>
        {
            seen.Add((request.RequestUri!, request.Headers.Authorization?.ToString()));
            if (request.RequestUri!.Host == "registry.test")
            {
                var redirect = new HttpResponseMessage(HttpStatusCode.TemporaryRedirect);
                redirect.Headers.Location = new Uri("https://bucket.s3.test/layer?X-Amz-Signature=s");
                return redirect;
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent("layer"u8.ToArray()) };
        });
        var client = TestRegistries.Client(handler, "registry.test");

        await using var blob = await client.OpenBlobAsync("team/web", Digest, CancellationToken.None);
        using var read = new MemoryStream();
        await blob.CopyToAsync(read);

        Assert.Equal("layer", Encoding.UTF8.GetString(read.ToArray()));
        Assert.Equal(2, seen.Count);
        Assert.Equal($"https://registry.test/v2/team/web/blobs/{Digest}", seen[0].Uri.ToString());
        Assert.Equal("Basic " + Convert.ToBase64String("AWS:secret-token"u8.ToArray()), seen[0].Authorization);
        Assert.Equal("https://bucket.s3.test/layer?X-Amz-Signature=s", seen[1].Uri.ToString());
        Assert.Null(seen[1].Authorization);
    }

    [Fact]
    public async Task A_blob_streamed_from_another_registry_whose_bytes_do_not_match_its_digest_is_never_completed()
    {
        using var registry = new FakeRegistry();
        var digest = registry.AddImage("source.test", "team/web", "1", ImageId);
        var source = await RegistryImageReader.ReadAsync(TestRegistries.Client(registry, "source.test"), "team/web", digest, includeReferrers: false, CancellationToken.None);
        var layer = source.Root.Layers[0];
        var damaged = new byte[layer.Size];
        registry.Damage("source.test", "team/web", layer.Digest, damaged);
        var writer = new Ecr.Internal.Registry.ImageWriter(TestRegistries.Client(registry, "registry.test"), _log, new Ecr.Internal.Registry.KnownBlobs());

        var failed = await Assert.ThrowsAsync<Ecr.Internal.Registry.WriteFailedException>(() => writer.WriteAsync(source, "team/web", ["1"], 1, CancellationToken.None));

        Assert.Equal($"The blob {layer.Digest} from source.test/team/web arrived with the digest {FakeRegistry.DigestOf(damaged)}: it was damaged on the way, or the source registry holds it damaged.", failed.InnerException!.Message);
        Assert.Empty(failed.LandedTags);
        Assert.False(registry.HasBlob("registry.test", "team/web", layer.Digest));
        Assert.Empty(registry.Tags("registry.test", "team/web"));
    }

    private Pusher CreatePusher()
        => new(_ecr, _ => throw new InvalidOperationException("A push from ECR must not connect to an engine."), new TokenCache(_environment), _environment, _log)
        {
            ConfigureRegistryHandler = handler => handler.ConnectCallback = (_, _) =>
            {
                Interlocked.Increment(ref _connections);
                throw new HttpRequestException("no registry in this test");
            },
        };

    private sealed class Answering(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(answer(request));
    }
}
