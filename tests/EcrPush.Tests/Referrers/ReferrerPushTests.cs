using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Tests.Fakes;
using Ecr.Tests.Sources;

namespace Ecr.Tests.Referrers;

/// <summary>
/// Files attached to a push, on the registry in memory: after the image and its tags, listed by the referrers API where
/// the registry serves it and under the tag schema's <c>sha256-&lt;hex&gt;</c> index where it does not (read, merged,
/// written, read again), never twice, and what a failure says landed.
/// </summary>
public sealed class ReferrerPushTests : IDisposable
{
    private const string Repository = "team/web";
    private const string Host = FakeEcr.Host;
    private const string Target = Host + "/" + Repository;

    private readonly FakeEcr _ecr = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private readonly FakeRegistry _registry = new();
    private readonly TestLayout _layout = new();
    private readonly AttachedFiles _files = new();
    private readonly FakeDockerEngine _engine = new();

    public ReferrerPushTests()
    {
        _ecr.AddRepository(Repository);
        _ecr.AddRepository(Repository, region: "eu-west-1");
    }

    public void Dispose()
    {
        _registry.Dispose();
        _layout.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task An_attached_file_goes_up_after_the_image_and_a_registry_without_the_referrers_API_lists_it_under_the_tag_schema()
    {
        var image = await LayoutAsync("attached");
        var sbom = _files.Sbom();

        var result = await Pusher().PushAsync(Settings().AddAttachments(sbom), CancellationToken.None);

        var referrer = Assert.Single(result.FirstDestination.Referrers);
        Assert.Equal((EcrAttachment.CycloneDxJson, image), (referrer.ArtifactType, referrer.Subject));
        var manifest = JsonNode.Parse(_registry.Manifest(Host, Repository, referrer.Digest)!.Value.Bytes)!;
        Assert.Equal(image, (string)manifest["subject"]!["digest"]!);
        Assert.Equal(FakeRegistry.DigestOf(await File.ReadAllBytesAsync(sbom.Path)), (string)manifest["layers"]![0]!["digest"]!);
        Assert.True(_registry.HasBlob(Host, Repository, (string)manifest["layers"]![0]!["digest"]!));
        Assert.Equal([referrer.Digest], _registry.TagSchemaDigests(Host, Repository, image));

        // The referrer goes up after the image's tag, and its index after it.
        var puts = ManifestPuts();
        Assert.Equal(["latest", referrer.Digest, $"sha256-{image[7..]}"], puts);
        Assert.Contains($"INF Pushed the referrer {Target}@{referrer.Digest} ({EcrAttachment.CycloneDxJson}) of {image}", _log.Lines);
    }

    [Fact]
    public async Task The_same_image_and_file_pushed_again_add_nothing_and_fail_nothing()
    {
        await LayoutAsync("again");
        var sbom = _files.Sbom();
        var first = await Pusher().PushAsync(Settings().AddAttachments(sbom), CancellationToken.None);
        var requests = _registry.Requests.Count;

        var second = await Pusher().PushAsync(Settings().AddAttachments(sbom), CancellationToken.None);

        Assert.Equal(first.FirstDestination.Referrers, second.FirstDestination.Referrers);
        Assert.Equal(["latest"], ManifestPuts(skip: requests));
        Assert.Single(_registry.TagSchemaDigests(Host, Repository, first.Digest));
    }

    [Fact]
    public async Task A_registry_that_serves_the_referrers_API_lists_the_file_itself_and_gets_no_tag()
    {
        var image = await LayoutAsync("api");
        _registry.ServesReferrersApi = true;

        var result = await Pusher().PushAsync(Settings().AddAttachments(_files.Sbom()), CancellationToken.None);

        var referrer = Assert.Single(result.FirstDestination.Referrers);
        Assert.Equal([referrer.Digest], _registry.ReferrerDigests(Host, Repository, image));
        Assert.Null(_registry.Manifest(Host, Repository, $"sha256-{image[7..]}"));
        Assert.Contains(_registry.Requests, r => r.Method == "GET" && r.PathAndQuery == $"/v2/{Repository}/referrers/{image}" && r.Status == 200);
    }

    [Fact]
    public async Task An_OCI_Subject_header_without_the_API_does_not_stand_for_the_API_and_the_tag_schema_is_written()
    {
        // ECR answered OCI-Subject where it did not serve the API (sigstore-js#1183): the API is asked, and it says 404.
        var image = await LayoutAsync("quirk");
        _registry.SendsOciSubjectWithoutApi = true;

        var result = await Pusher().PushAsync(Settings().AddAttachments(_files.Sbom()), CancellationToken.None);

        Assert.Equal([Assert.Single(result.FirstDestination.Referrers).Digest], _registry.TagSchemaDigests(Host, Repository, image));
        Assert.Contains(_registry.Requests, r => r.Method == "GET" && r.PathAndQuery == $"/v2/{Repository}/referrers/{image}" && r.Status == 404);
    }

    [Fact]
    public async Task Another_file_attached_later_joins_the_entries_already_listed_under_the_tag()
    {
        var image = await LayoutAsync("merge");
        var first = await Pusher().PushAsync(Settings().AddAttachments(_files.Sbom()), CancellationToken.None);

        var second = await Pusher().PushAsync(Settings().AddAttachments(_files.Sbom("provenance.json") with { ArtifactType = EcrAttachment.InTotoJson }), CancellationToken.None);

        Assert.Equal([first.FirstDestination.Referrers[0].Digest, second.FirstDestination.Referrers[0].Digest], _registry.TagSchemaDigests(Host, Repository, image));
    }

    [Fact]
    public async Task A_lost_race_for_the_tag_schema_index_is_merged_with_the_other_writer_s_index_and_written_again()
    {
        var image = await LayoutAsync("race");
        var theirs = await TheirReferrerAsync(image);
        var tag = $"sha256-{image[7..]}";
        var raced = 0;
        _registry.BeforeAnswer = async (request, ct) =>
        {
            // Right after our first write of the index, another writer writes its own, which never saw ours.
            if (request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.EndsWith($"/manifests/{tag}", StringComparison.Ordinal)
                && _registry.Manifest(Host, Repository, tag) is not null && Interlocked.Exchange(ref raced, 1) == 0)
            {
                await PutIndexAsync(tag, theirs, ct);
            }
        };

        var result = await Pusher().PushAsync(Settings().AddAttachments(_files.Sbom()), CancellationToken.None);

        Assert.Equal(1, raced);
        Assert.Equal([theirs.Digest, result.FirstDestination.Referrers[0].Digest], _registry.TagSchemaDigests(Host, Repository, image));
        Assert.Equal(3, ManifestPuts().Count(put => put == tag)); // ours, theirs, ours again
        Assert.Contains(_log.Lines, line => line.Contains($"The index under {tag} of {Repository} lost 1 of our entries to another writer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tag_schema_tag_that_holds_something_else_is_named_and_the_pushed_image_is_reported_as_landed()
    {
        var image = await LayoutAsync("taken");
        _registry.AddImage(Host, Repository, $"sha256-{image[7..]}", "not an index");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Pusher().PushAsync(Settings().AddAttachments(_files.Sbom()), CancellationToken.None));

        var landed = Assert.Single(exception.Landed);
        Assert.Equal([$"{Target}:latest"], landed.ImageReferences);
        Assert.Equal(image, landed.Digest);
        Assert.Empty(landed.Referrers);
        await Verify(exception.Message);
    }

    [Fact]
    public async Task A_file_whose_upload_fails_says_the_image_was_pushed_and_which_referrer_was_not()
    {
        await LayoutAsync("refused");
        var sbom = _files.Sbom();
        var blob = FakeRegistry.DigestOf(await File.ReadAllBytesAsync(sbom.Path));
        _registry.Intercept = request => request.Method == HttpMethod.Put && request.RequestUri!.Query.Contains(Uri.EscapeDataString(blob), StringComparison.Ordinal)
            ? FakeRegistry.Error(HttpStatusCode.Forbidden, "DENIED", "not allowed to upload")
            : null;

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Pusher().PushAsync(Settings().AddAttachments(sbom), CancellationToken.None));

        var landed = Assert.Single(exception.Landed);
        Assert.Empty(landed.Referrers);
        Assert.Equal(["latest"], _registry.Tags(Host, Repository));
        await Verify(exception.Message);
    }

    [Fact]
    public async Task A_failure_after_the_image_landed_says_the_image_was_pushed_and_holds_it_as_data()
    {
        await LayoutAsync("after");
        // The signing report, the push's last step, cannot be had: the image and its file are in the registry already.
        _ecr.SigningConfiguration = new EcrSigningConfiguration([new EcrSigningRule("arn:aws:signer:us-east-1:123456789012:/signing-profiles/ecr", [])]);
        _ecr.SigningStatuses = _ => throw new EcrPushException("ECR DescribeImageSigningStatus in us-east-1 failed after 3 attempts: ThrottlingException: Rate exceeded.");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Pusher().PushAsync(Settings().AddAttachments(_files.Sbom()), CancellationToken.None));

        var landed = Assert.Single(exception.Landed);
        Assert.Single(landed.Referrers);
        Assert.Contains("latest", _registry.Tags(Host, Repository));
        Assert.StartsWith("ECR DescribeImageSigningStatus in us-east-1 failed after 3 attempts: ThrottlingException: Rate exceeded. The image was pushed: ", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_engine_image_gets_the_file_in_every_destination_with_the_one_digest_its_subject_read_from_the_registry()
    {
        _engine.Tags["web:1.4.2"] = "sha256:" + new string('e', 64);
        _engine.Registry = _registry;

        var result = await Pusher().PushAsync(
            new EcrPushSettings().SetSourceImageName("web:1.4.2").SetRepositoryName(Repository).SetTargetTags("1.4.2").AddDestinations(new EcrDestination("eu-west-1")).AddAttachments(_files.Sbom()),
            CancellationToken.None);

        var (first, second) = (Assert.Single(result.Destinations[0].Referrers), Assert.Single(result.Destinations[1].Referrers));
        Assert.Equal(first, second);
        Assert.Equal(result.Digest, first.Subject);
        var subject = JsonNode.Parse(_registry.Manifest(Host, Repository, first.Digest)!.Value.Bytes)!["subject"]!;
        Assert.Equal(("application/vnd.docker.distribution.manifest.v2+json", _registry.Manifest(Host, Repository, result.Digest)!.Value.Bytes.Length), ((string)subject["mediaType"]!, (int)subject["size"]!));
        Assert.Equal([first.Digest], _registry.TagSchemaDigests(FakeEcr.HostOf("eu-west-1"), Repository, result.Digest));
    }

    [Fact]
    public async Task An_image_an_immutable_tag_held_already_still_gets_a_file_attached_now()
    {
        var (manifest, config) = _layout.ManifestWithConfig(withMediaType: true, layerText: "held");
        _layout.Entry(manifest, TestLayout.OciManifest, refName: null);
        await _layout.WriteIndexAsync();
        _ecr.AddRepository(Repository, "IMMUTABLE", tags: new Dictionary<string, EcrManifest>(StringComparer.Ordinal) { ["1.4.2"] = FakeEcr.Image(manifest, config) });
        await Pusher().PushAsync(Settings().SetTargetTags("1.4.2"), CancellationToken.None);
        var requests = _registry.Requests.Count;

        var result = await Pusher().PushAsync(Settings().SetTargetTags("1.4.2").AddAttachments(_files.Sbom()), CancellationToken.None);

        Assert.Equal(manifest, Assert.Single(result.FirstDestination.Referrers).Subject);
        Assert.Equal([result.FirstDestination.Referrers[0].Digest, $"sha256-{manifest[7..]}"], ManifestPuts(skip: requests));
    }

    private EcrPushSettings Settings() => new EcrPushSettings().SetSourceOciLayout(_layout.Path).SetRepositoryName(Repository);

    private Pusher Pusher() => new(_ecr, _ => _engine, new TokenCache(_environment), _environment, _log) { RegistryHandler = () => _registry, RetryPolicy = TestRegistries.NoWaits };

    private async Task<string> LayoutAsync(string text)
    {
        var manifest = _layout.Manifest(withMediaType: true, layerText: text);
        _layout.Entry(manifest, TestLayout.OciManifest, refName: null);
        await _layout.WriteIndexAsync();
        return manifest;
    }

    /// <summary>The references of the manifest PUTs so far (after the first <paramref name="skip"/> requests), in order.</summary>
    private List<string> ManifestPuts(int skip = 0)
        => [.. _registry.Requests.Skip(skip).Where(r => r.Method == "PUT" && r.PathAndQuery.Contains("/manifests/", StringComparison.Ordinal)).Select(r => r.PathAndQuery[(r.PathAndQuery.LastIndexOf('/') + 1)..])];

    /// <summary>Another tool's referrer of <paramref name="subject"/> (a signature), pushed straight into the registry.</summary>
    private async Task<(string Digest, string Json)> TheirReferrerAsync(string subject)
    {
        var signature = Encoding.UTF8.GetBytes("their signature");
        _registry.AddBlob(Host, Repository, signature);
        _registry.AddBlob(Host, Repository, "{}"u8.ToArray());
        var manifest = $$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.cncf.notary.signature","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/jose+json","digest":"{{{FakeRegistry.DigestOf(signature)}}}","size":{{{signature.Length}}}}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{subject}}}","size":1}}""";
        using var client = new HttpClient(_registry, disposeHandler: false);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"https://{Host}/v2/{Repository}/manifests/{FakeRegistry.DigestOf(Encoding.UTF8.GetBytes(manifest))}") { Content = new StringContent(manifest) };
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        (await client.SendAsync(put)).EnsureSuccessStatusCode();
        return (FakeRegistry.DigestOf(Encoding.UTF8.GetBytes(manifest)), manifest);
    }

    private async Task PutIndexAsync(string tag, (string Digest, string Json) only, CancellationToken cancellationToken)
    {
        var index = $$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{only.Digest}}}","size":{{{Encoding.UTF8.GetByteCount(only.Json)}}},"artifactType":"application/vnd.cncf.notary.signature"}]}""";
        using var client = new HttpClient(_registry, disposeHandler: false);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"https://{Host}/v2/{Repository}/manifests/{tag}") { Content = new StringContent(index) };
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.index.v1+json");
        (await client.SendAsync(put, cancellationToken)).EnsureSuccessStatusCode();
    }
}
