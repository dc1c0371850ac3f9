using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Docker;
using Ecr.Internal.Images;
using Ecr.Internal.Sources;
using Ecr.Tests.Fakes;
using Ecr.Tests.Sources;

namespace Ecr.Tests.Snapshots.Errors;

/// <summary>
/// What a push says when it fails after the settings passed, one snapshot per failure: the destination step (the
/// repository, the immutable-tag rule, what landed and what stays, several destinations, several pushes), the writer and
/// the transport (each kind of refusal, retries spent, no connection, TLS, silence), a copy's reading of its source
/// registry, and an image already in ECR. Each runs the push's own steps on the fakes (FakeEcr, FakeRegistry, a layout
/// written here, FakeDockerEngine where the engine's own words play no part), with a real failure: a registry's answer,
/// a refused connection, a certificate no one trusts, a file changed under the push.
/// </summary>
public sealed class PushErrorTests : IDisposable
{
    private const string ImageId = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string OtherImage = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string OtherConfig = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
    private const string Host = FakeEcr.Host;

    private static readonly string EuHost = FakeEcr.HostOf("eu-west-1");

    private readonly FakeEcr _ecr = new();
    private readonly FakeRegistry _registry = new();
    private readonly FakeDockerEngine _engine = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private readonly TestLayout _layout = new();
    private readonly (string Manifest, string Config) _image;

    public PushErrorTests()
    {
        _engine.Tags["web:1.4.2"] = ImageId;
        _engine.Registry = _registry;
        _image = _layout.ManifestWithConfig(withMediaType: true, layerText: "the layer of web 1.4.2");
        _layout.Entry(_image.Manifest, TestLayout.OciManifest, refName: null);
    }

    public void Dispose()
    {
        _registry.Dispose();
        _layout.Dispose();
    }

    private static readonly Dictionary<string, Func<PushErrorTests, Task>> Failures = new(StringComparer.Ordinal)
    {
        ["Repository_missing"] = t => t.PushAsync(Engine().SetRepositoryName("team/new")),
        ["Repository_missing_in_another_account"] = t => t.PushAsync(Engine().SetRegistryId("210987654321")),
        ["Immutable_tag_holds_another_image"] = t => t.ImmutableTagsHoldAnotherImageAsync("1.4.2"),
        ["Immutable_tags_hold_other_images"] = t => t.ImmutableTagsHoldAnotherImageAsync("1.4.2", "latest"),
        ["Immutable_tag_taken_by_another_push_meanwhile"] = t => t.ImmutableTagTakenMeanwhileAsync(),
        ["Tag_refused_after_one_tag_landed"] = t => t.RefusedAsync(request => IsManifestPut(request, "latest"), t.Layout()),
        ["Tag_refused_where_an_immutable_tag_held_the_image_already"] = t => t.RefusedWhereAnImmutableTagHeldTheImageAsync(),
        ["Upload_refused_in_a_repository_the_push_created"] = t => t.RefusedAsync(IsUpload, t.Layout().SetRepositoryName("team/new").EnableAutoCreateRepository()),
        ["Tag_refused_after_one_tag_landed_in_a_repository_the_push_created"] = t => t.RefusedAsync(request => IsManifestPut(request, "latest"), t.Layout().SetRepositoryName("team/new").EnableAutoCreateRepository()),
        ["One_of_two_destinations_failed"] = t => t.RefusedAsync(request => request.RequestUri!.Host == EuHost && IsUpload(request), t.TwoDestinations()),
        ["Both_destinations_failed"] = t => t.RefusedAsync(IsUpload, t.TwoDestinations()),
        ["One_of_two_combined_pushes_failed"] = t => t.CombinedAsync(completeOnFailure: true, Engine(), Engine().SetRepositoryName("team/new")),
        ["Combined_pushes_stopped_at_the_first_failure"] = t => t.CombinedAsync(completeOnFailure: false, Engine().SetRepositoryName("team/new").SetRegion("us-east-1"), Engine(), Engine().SetTargetTags("1.4.3")),
        ["Engine_image_changed_during_the_push"] = t => t.EngineImageChangedDuringThePushAsync(),
        ["Upload_denied"] = t => t.RefusedAsync(IsUpload, t.Layout()),
        ["Token_refused_again_after_a_fresh_one"] = t => t.TokenRefusedTwiceAsync(),
        ["Manifest_refused_as_invalid"] = t => t.AnsweredAsync(request => IsManifestPut(request, "1.4.2"), () => FakeRegistry.Error(HttpStatusCode.BadRequest, "MANIFEST_INVALID", "manifest invalid"), t.Layout()),
        ["Manifest_refused_with_415_and_no_code"] = t => t.AnsweredAsync(request => IsManifestPut(request, "1.4.2"), () => new HttpResponseMessage(HttpStatusCode.UnsupportedMediaType), t.Layout()),
        ["Error_page_of_a_proxy_after_every_retry"] = t => t.AnsweredAsync(IsUpload, ProxyErrorPage, t.Layout()),
        ["Registry_unreachable"] = t => t.UnreachableAsync(),
        ["Registry_certificate_not_trusted"] = t => t.UntrustedCertificateAsync(),
        ["Registry_silent"] = t => t.SilentAsync(),
        ["Inactivity_limit_not_a_number"] = t => t.InactivityLimitNotANumberAsync(),
        ["Layout_blob_changed_after_it_was_read"] = t => t.LayoutBlobChangedAsync(truncate: false),
        ["Layout_blob_shortened_after_it_was_read"] = t => t.LayoutBlobChangedAsync(truncate: true),
        ["Source_repository_missing"] = t => t.PushAsync(Copy().SetSourceRepositoryName("team/gone")),
        ["Source_tag_missing"] = t => t.SourceTagMissingAsync(Copy().SetSourceImageTag("rc2")),
        ["Source_digest_missing"] = t => t.SourceTagMissingAsync(Copy().ResetSourceImageTag().SetSourceImageDigest(OtherImage)),
        ["Promotion_refused_by_an_immutable_tag"] = t => t.PromotionRefusedAsync(),
        ["Copy_source_manifest_gone_from_its_registry"] = t => t.CopySourceGoneAsync(),
        ["Copy_source_manifest_damaged_on_the_way"] = t => t.CopyAsync(request => IsManifestGet(request) ? Manifest("""{"schemaVersion":2,"note":"not what was asked for"}""", MediaTypes.DockerManifest) : null),
        ["Copy_source_manifest_of_another_media_type"] = t => t.CopyAsync(request => IsManifestGet(request) ? t.SourceManifest("text/html") : null),
        ["Copy_source_manifest_too_large"] = t => t.CopyAsync(request => IsManifestGet(request) ? Manifest(new string(' ', 5 * 1024 * 1024), MediaTypes.DockerManifest) : null),
        ["Copy_source_manifest_not_readable"] = t => t.CopyOfUnreadableIndexAsync(),
        ["Copy_source_index_nested_too_deep"] = t => t.CopyOfNestedIndexAsync(),
        ["Copy_source_blob_damaged"] = t => t.CopySourceBlobDamagedAsync(),
        ["Copy_source_blob_redirected_in_a_loop"] = t => t.CopyAsync(request => request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.Contains("/blobs/", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.TemporaryRedirect) { Headers = { Location = request.RequestUri } }
            : null, mounts: false),
    };

    public static TheoryData<string> FailureNames => new(Failures.Keys);

    [Theory]
    [MemberData(nameof(FailureNames))]
    public async Task Failure(string name)
    {
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Failures[name](this));

        await Verify(exception.Message).UseTextForParameters(name);
    }

    [Fact]
    public async Task Policy_refused_after_the_push_created_the_repository()
    {
        using var harness = new Aws.EcrClientHarness();
        harness.Stub
            .ThenError(HttpStatusCode.BadRequest, "RepositoryNotFoundException", "The repository with name 'team/new' does not exist in the registry with id '123456789012'")
            .ThenJson(HttpStatusCode.OK, """{"repositoryCreationTemplates":[]}""") // with AutoCreateRepository, whether a template would have made it (RepositoryStep.Templates.cs)
            .ThenJson(HttpStatusCode.OK, """{"repository":{"repositoryName":"team/new","registryId":"123456789012","repositoryUri":"123456789012.dkr.ecr.eu-west-3.amazonaws.com/team/new","imageTagMutability":"MUTABLE"}}""")
            .ThenError(HttpStatusCode.BadRequest, "InvalidParameterException", "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: rules[0].selection.countNumber must be positive'");
        var plan = SettingsValidator.Validate(Engine().SetRepositoryName("team/new").EnableAutoCreateRepository()
            .SetLifecyclePolicy("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":0},"action":{"type":"expire"}}]}"""));
        var connection = new EcrConnection(harness.Client, "eu-west-3", "the Region setting", "the test keys", harness.Endpoint.Url, "policy-refused");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => new Internal.Destinations.RepositoryStep(_log).EnsureAsync(connection, plan, null, Task.CompletedTask, CancellationToken.None));

        await Verify(exception.Message);
    }

    private static EcrPushSettings Engine() => new EcrPushSettings().SetSourceImageName("web:1.4.2").SetRepositoryName("team/web").SetTargetTags("1.4.2", "latest");

    private EcrPushSettings Layout() => new EcrPushSettings().SetSourceOciLayout(_layout.Path).SetRepositoryName("team/web").SetTargetTags("1.4.2", "latest").SetUploadParallelism(1);

    private EcrPushSettings TwoDestinations()
    {
        _ecr.AddRepository("team/web", region: "eu-west-1");
        return Layout().SetRegion("us-east-1").SetDestinations(new EcrDestination("eu-west-1"));
    }

    /// <summary>An image already in ECR, team/web:rc, copied into another repository of the same registry.</summary>
    private static EcrPushSettings Copy() => new EcrPushSettings().SetSourceRepositoryName("team/web").SetSourceImageTag("rc").SetRepositoryName("team/prod").SetTargetTags("1.4.2");

    /// <summary>The push, with team/web in us-east-1 unless the failure set up its own; <paramref name="configure"/> replaces the registry in memory with a real connection.</summary>
    private async Task PushAsync(EcrPushSettings settings, Action<SocketsHttpHandler>? configure = null)
    {
        await _layout.WriteIndexAsync();
        _ecr.Repositories.TryAdd("us-east-1/123456789012/team/web", ("MUTABLE", new Dictionary<string, EcrManifest>(StringComparer.Ordinal)));
        await Pusher(configure).PushAsync(settings, CancellationToken.None);
    }

    private Pusher Pusher(Action<SocketsHttpHandler>? configure = null) => configure is null
        ? new(_ecr, _ => _engine, new TokenCache(_environment), _environment, _log) { RegistryHandler = () => _registry, RetryPolicy = TestRegistries.NoWaits }
        : new(_ecr, _ => _engine, new TokenCache(_environment), _environment, _log) { ConfigureRegistryHandler = configure, RetryPolicy = TestRegistries.NoWaits };

    private static bool IsUpload(HttpRequestMessage request) => request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/blobs/uploads/", StringComparison.Ordinal);

    private static bool IsManifestPut(HttpRequestMessage request, string tag) => request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.EndsWith($"/manifests/{tag}", StringComparison.Ordinal);

    private static bool IsManifestGet(HttpRequestMessage request) => request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal);

    /// <summary>ECR's registry refuses what the identity may not do with 403 and DENIED.</summary>
    private Task RefusedAsync(Func<HttpRequestMessage, bool> refused, EcrPushSettings settings)
        => AnsweredAsync(refused, () => FakeRegistry.Error(HttpStatusCode.Forbidden, "DENIED", "User: arn:aws:sts::123456789012:assumed-role/ci/build is not authorized to perform: ecr:InitiateLayerUpload"), settings);

    private Task AnsweredAsync(Func<HttpRequestMessage, bool> when, Func<HttpResponseMessage> answer, EcrPushSettings settings)
    {
        _registry.Intercept = request => when(request) ? answer() : null;
        return PushAsync(settings);
    }

    /// <summary>The HTML page a proxy answers for a registry it cannot reach: long, so that the message shows where it is cut.</summary>
    private static HttpResponseMessage ProxyErrorPage() => new(HttpStatusCode.BadGateway)
    {
        Content = new StringContent($"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The proxy could not reach the upstream server.</p>{string.Concat(Enumerable.Repeat("<p>Reference: 18.ab1c2d3e.1733480000.5f6a7b8c</p>", 8))}</body></html>", Encoding.UTF8, "text/html"),
    };

    private Task ImmutableTagsHoldAnotherImageAsync(params string[] tags)
    {
        _ecr.AddRepository("team/web", "IMMUTABLE", tags: tags.ToDictionary(tag => tag, _ => FakeEcr.Image(OtherImage, OtherConfig), StringComparer.Ordinal));
        return PushAsync(Layout().SetTargetTags(tags));
    }

    /// <summary>The check finds the tag free; another push takes it before this one's tag arrives, and the registry refuses this one.</summary>
    private Task ImmutableTagTakenMeanwhileAsync()
    {
        _ecr.AddRepository("team/web", "IMMUTABLE");
        _registry.ImmutableTags.Add($"{Host}/team/web:1.4.2");
        _registry.BeforeAnswer = (request, _) =>
        {
            if (IsManifestPut(request, "1.4.2") && _registry.Manifest(Host, "team/web", "1.4.2") is null)
            {
                var theirs = _registry.AddImage(Host, "team/web", "1.4.2", "another build");
                _ecr.Repositories["us-east-1/123456789012/team/web"].Tags["1.4.2"] = FakeEcr.Image(theirs, OtherConfig);
            }

            return Task.CompletedTask;
        };
        return PushAsync(Layout().SetTargetTags("1.4.2"));
    }

    private Task RefusedWhereAnImmutableTagHeldTheImageAsync()
    {
        _ecr.AddRepository("team/web", "IMMUTABLE", tags: new Dictionary<string, EcrManifest>(StringComparer.Ordinal) { ["1.4.2"] = FakeEcr.Image(_image.Manifest, _image.Config) });
        return RefusedAsync(request => IsManifestPut(request, "latest"), Layout());
    }

    private async Task CombinedAsync(bool completeOnFailure, params EcrPushSettings[] pushes)
    {
        _ecr.AddRepository("team/web");
        await CombinedPush.RunAsync(pushes, 1, completeOnFailure, settings => Pusher().PushAsync(settings, CancellationToken.None), CancellationToken.None);
    }

    /// <summary>The registry answers each tag's push with another digest: the engine's image was rebuilt under the same name in between.</summary>
    private Task EngineImageChangedDuringThePushAsync()
    {
        _engine.OnPush = (_, tag) => Task.FromResult(tag == "latest" ? OtherImage : FakeDockerEngine.Digest);
        return PushAsync(Engine());
    }

    /// <summary>The registry takes no token the ECR API gives: a fresh one is fetched once, and refused as well.</summary>
    private Task TokenRefusedTwiceAsync()
    {
        _registry.Password = "a password no token has";
        return PushAsync(Layout());
    }

    /// <summary>A real refused connection: the registry's host leads to a loopback port nothing listens on.</summary>
    private Task UnreachableAsync() => PushAsync(Layout(), configure: handler => handler.ConnectCallback = Loopback.To(Loopback.ClosedPort()));

    /// <summary>A real TLS handshake with a registry whose certificate no authority of this machine signed.</summary>
    private async Task UntrustedCertificateAsync()
    {
        await using var registry = new UntrustedTlsServer(Host);
        await PushAsync(Layout(), configure: handler => handler.ConnectCallback = Loopback.To(registry.Port));
    }

    /// <summary>The registry takes the request and says nothing: the inactivity limit, here half a second, ends the wait.</summary>
    private Task SilentAsync()
    {
        _environment[DockerEngine.InactivityTimeoutVariable] = "0.5";
        _registry.BeforeAnswer = (request, ct) => request.Method == HttpMethod.Head ? Task.Delay(Timeout.Infinite, ct) : Task.CompletedTask;
        return PushAsync(Layout());
    }

    private Task InactivityLimitNotANumberAsync()
    {
        _environment[DockerEngine.InactivityTimeoutVariable] = "ten minutes";
        return PushAsync(Layout());
    }

    /// <summary>The layout was read whole and checked; its layer file changes before the upload reads it again.</summary>
    private Task LayoutBlobChangedAsync(bool truncate)
    {
        var layer = _layout.BlobPath(TestLayout.Digest(Encoding.UTF8.GetBytes("the layer of web 1.4.2")));
        _registry.BeforeAnswer = (request, ct) => IsUpload(request) ? File.WriteAllTextAsync(layer, truncate ? "the layer" : "THE LAYER OF WEB 1.4.2", ct) : Task.CompletedTask;
        return PushAsync(Layout());
    }

    private Task SourceTagMissingAsync(EcrPushSettings settings)
    {
        AddSourceImage();
        return PushAsync(settings);
    }

    /// <summary>A promotion within team/web (PutImage), into a repository whose tags are immutable: ECR takes 1.4.2 and refuses latest.</summary>
    private Task PromotionRefusedAsync()
    {
        AddSourceImage();
        _ecr.Repositories["us-east-1/123456789012/team/web"] = ("IMMUTABLE", new Dictionary<string, EcrManifest>(StringComparer.Ordinal));
        _ecr.PutImageOutcome = tag => tag == "latest" ? EcrPutImageOutcome.TagImmutable : EcrPutImageOutcome.Put;
        return PushAsync(Copy().SetRepositoryName("team/web").SetTargetTags("1.4.2", "latest"));
    }

    /// <summary>team/web:rc, an image as an engine pushed it, in the registry and as the ECR API finds it.</summary>
    private string AddSourceImage()
    {
        _ecr.AddRepository("team/web");
        _ecr.AddRepository("team/prod");
        var digest = _registry.AddImage(Host, "team/web", "rc", ImageId);
        var (bytes, mediaType) = _registry.Manifest(Host, "team/web", "rc")!.Value;
        _ecr.AddManifest("team/web", "rc", new EcrManifest(Encoding.UTF8.GetString(bytes), mediaType, digest, FakeEcr.Account));
        return digest;
    }

    private HttpResponseMessage SourceManifest(string mediaType)
    {
        var (bytes, _) = _registry.Manifest(Host, "team/web", "rc")!.Value;
        return Manifest(Encoding.UTF8.GetString(bytes), mediaType);
    }

    private static HttpResponseMessage Manifest(string text, string mediaType)
    {
        var answer = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(text)) };
        answer.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return answer;
    }

    /// <summary>A copy of team/web:rc into team/prod; without <paramref name="mounts"/> the registry mounts no blob, so that each is read from team/web.</summary>
    private Task CopyAsync(Func<HttpRequestMessage, HttpResponseMessage?> intercept, bool mounts = true)
    {
        AddSourceImage();
        _registry.Mounts = mounts;
        _registry.Intercept = intercept;
        return PushAsync(Copy());
    }

    /// <summary>The ECR API finds the image, but its registry no longer has it (deleted between the two calls).</summary>
    private Task CopySourceGoneAsync()
    {
        AddSourceImage();
        _registry.Intercept = request => IsManifestGet(request) ? FakeRegistry.Error(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN", "manifest unknown") : null;
        return PushAsync(Copy());
    }

    private Task CopySourceBlobDamagedAsync()
    {
        AddSourceImage();
        var layer = Encoding.UTF8.GetBytes($"layer of {ImageId}");
        _registry.Damage(Host, "team/web", FakeRegistry.DigestOf(layer), Encoding.UTF8.GetBytes($"LAYER OF {ImageId}"));
        _registry.Mounts = false;
        return PushAsync(Copy());
    }

    /// <summary>An index the ECR API gives whole, whose entry has no digest: the copy cannot follow it.</summary>
    private Task CopyOfUnreadableIndexAsync()
        => CopyOfAsync([("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":2,"platform":{"os":"linux","architecture":"amd64"}}]}""", MediaTypes.OciIndex)]);

    /// <summary>An index of an index of an index: deeper than a copy follows.</summary>
    private Task CopyOfNestedIndexAsync()
    {
        var chain = new List<(string Text, string MediaType)> { (Copied, MediaTypes.OciManifest) };
        for (var level = 0; level < 3; level++)
        {
            var (inner, innerType) = chain[0];
            chain.Insert(0, ($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[{"mediaType":"{{innerType}}","digest":"{{Sha256.Of(Encoding.UTF8.GetBytes(inner))}}","size":{{inner.Length}}}]}""", MediaTypes.OciIndex));
        }

        return CopyOfAsync(chain);
    }

    private const string Copied = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","size":2},"layers":[]}""";

    /// <summary>team/web:rc is the first of <paramref name="manifests"/>, as the ECR API gives it; its registry serves each of them by digest.</summary>
    private Task CopyOfAsync(List<(string Text, string MediaType)> manifests)
    {
        _ecr.AddRepository("team/web");
        _ecr.AddRepository("team/prod");
        var byDigest = manifests.ToDictionary(manifest => Sha256.Of(Encoding.UTF8.GetBytes(manifest.Text)), StringComparer.Ordinal);
        var (root, rootType) = manifests[0];
        _ecr.AddManifest("team/web", "rc", new EcrManifest(root, rootType, Sha256.Of(Encoding.UTF8.GetBytes(root)), FakeEcr.Account));
        _registry.Intercept = request => IsManifestGet(request) && byDigest.TryGetValue(request.RequestUri!.AbsolutePath.Split("/manifests/")[1], out var served)
            ? Manifest(served.Text, served.MediaType)
            : null;
        return PushAsync(Copy());
    }
}
