using System.Text;
using System.Text.Json.Nodes;
using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Tests.Fakes;
using Ecr.Tests.Sources;

namespace Ecr.Tests.Referrers;

/// <summary>
/// Referrers a layout holds, as the tools leave them: an untagged index.json entry whose manifest has a subject (oras-go's
/// layout store, which <c>oras attach --oci-layout</c> and <c>notation sign --oci-layout</c> write through, lists every
/// manifest it stores), and BuildKit's attestations as OCI artifacts inside the image's index. Pushed after their subject;
/// the platform filter keeps those of the platforms kept; a subject the layout lacks, or a media type ECR refuses, is
/// named before any request.
/// </summary>
public sealed class LayoutReferrerTests : IDisposable
{
    private const string Repository = "team/web";
    private const string Host = FakeEcr.Host;
    private const string Notary = "application/vnd.cncf.notary.signature";

    private readonly FakeEcr _ecr = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private readonly FakeRegistry _registry = new();
    private readonly TestLayout _layout = new();

    public LayoutReferrerTests() => _ecr.AddRepository(Repository);

    public void Dispose()
    {
        _registry.Dispose();
        _layout.Dispose();
    }

    [Fact]
    public async Task An_oras_style_referrer_in_index_json_goes_up_after_the_image_and_is_no_image_to_choose()
    {
        var image = _layout.Manifest(withMediaType: true, layerText: "oras");
        _layout.Entry(image, TestLayout.OciManifest, refName: "1");
        var sbom = Referrer(image, EcrAttachment.SpdxJson, "spdx");
        var signature = Referrer(sbom, Notary, "signature of the sbom");
        _layout.Entry(sbom, TestLayout.OciManifest, refName: null);
        _layout.Entry(signature, TestLayout.OciManifest, refName: null);
        await _layout.WriteIndexAsync();

        // No name after the path: the layout's one image, its referrers not counted as images.
        var result = await Pusher().PushAsync(new EcrPushSettings().SetSourceOciLayout(_layout.Path).SetRepositoryName(Repository), CancellationToken.None);

        Assert.Equal(image, result.Digest);
        Assert.Equal([new EcrPushedReferrer(sbom, EcrAttachment.SpdxJson, image), new EcrPushedReferrer(signature, Notary, sbom)], result.FirstDestination.Referrers);
        Assert.Equal([sbom], _registry.TagSchemaDigests(Host, Repository, image));
        Assert.Equal([signature], _registry.TagSchemaDigests(Host, Repository, sbom));
        var puts = _registry.Requests.Where(r => r.Method == "PUT" && r.PathAndQuery.Contains("/manifests/", StringComparison.Ordinal)).Select(r => r.PathAndQuery[(r.PathAndQuery.LastIndexOf('/') + 1)..]).ToList();
        Assert.True(puts.IndexOf("latest") < puts.IndexOf(sbom) && puts.IndexOf(sbom) < puts.IndexOf(signature), string.Join(", ", puts));
        Assert.Contains(_log.Lines, l => l.StartsWith("INF Read the OCI layout", StringComparison.Ordinal) && l.Contains($"and 2 referrers ({EcrAttachment.SpdxJson}, {Notary})", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Referrers_are_left_out_when_IncludeReferrers_is_off()
    {
        var image = _layout.Manifest(withMediaType: true, layerText: "off");
        _layout.Entry(image, TestLayout.OciManifest, refName: "1");
        _layout.Entry(Referrer(image, EcrAttachment.SpdxJson, "spdx"), TestLayout.OciManifest, refName: null);
        await _layout.WriteIndexAsync();

        var result = await Pusher().PushAsync(new EcrPushSettings().SetSourceOciLayout($"{_layout.Path}:1").SetRepositoryName(Repository).DisableIncludeReferrers(), CancellationToken.None);

        Assert.Empty(result.FirstDestination.Referrers);
        Assert.DoesNotContain(_registry.Requests, r => r.PathAndQuery.Contains("referrers", StringComparison.Ordinal) || r.PathAndQuery.Contains("sha256-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_platform_filter_keeps_the_referrers_of_the_platforms_kept_and_says_why_the_index_s_own_is_left_out()
    {
        var amd64 = _layout.Manifest(withMediaType: true, layerText: "amd64");
        var arm64 = _layout.Manifest(withMediaType: true, layerText: "arm64");
        var index = _layout.Index(
            _layout.Descriptor(amd64, new JsonObject { ["os"] = "linux", ["architecture"] = "amd64" }),
            _layout.Descriptor(arm64, new JsonObject { ["os"] = "linux", ["architecture"] = "arm64" }));
        _layout.Entry(index, "application/vnd.oci.image.index.v1+json", refName: "1");
        var ofAmd64 = Referrer(amd64, EcrAttachment.SpdxJson, "amd64 sbom");
        var ofArm64 = Referrer(arm64, EcrAttachment.SpdxJson, "arm64 sbom");
        var ofIndex = Referrer(index, Notary, "index signature", subjectMediaType: "application/vnd.oci.image.index.v1+json");
        foreach (var referrer in new[] { ofAmd64, ofArm64, ofIndex })
        {
            _layout.Entry(referrer, TestLayout.OciManifest, refName: null);
        }

        await _layout.WriteIndexAsync();

        var result = await Pusher().PushAsync(new EcrPushSettings().SetSourceOciLayout($"{_layout.Path}:1").SetPlatforms("linux/amd64").SetRepositoryName(Repository), CancellationToken.None);

        Assert.Equal([ofAmd64], result.FirstDestination.Referrers.Select(r => r.Digest));
        Assert.Contains($"WRN The OCI layout {_layout.Path}: the referrer {ofIndex} ({Notary}) of {index} is not pushed: the push sends {result.Digest} instead (the platforms kept, or the media type added), which it does not refer to.", _log.Lines);
        Assert.Null(_registry.Manifest(Host, Repository, ofArm64));
    }

    [Fact]
    public async Task BuildKit_attestations_as_OCI_artifacts_go_up_in_the_index_and_are_listed_as_referrers_of_their_platform()
    {
        // BuildKit's oci-artifact form (docs.docker.com, build/metadata/attestations/attestation-storage): the index entry as
        // before (unknown/unknown, vnd.docker.reference.*), the manifest with an artifactType, the empty config and a subject.
        var amd64 = _layout.Manifest(withMediaType: true, layerText: "buildkit");
        var attestation = BuildKitAttestation(amd64, asArtifact: true);
        var legacy = BuildKitAttestation(amd64, asArtifact: false);
        var platform = new JsonObject { ["os"] = "unknown", ["architecture"] = "unknown" };
        var annotations = new JsonObject { ["vnd.docker.reference.type"] = "attestation-manifest", ["vnd.docker.reference.digest"] = amd64 };
        var index = _layout.Index(
            _layout.Descriptor(amd64, new JsonObject { ["os"] = "linux", ["architecture"] = "amd64" }),
            _layout.Descriptor(attestation, platform.DeepClone().AsObject(), annotations.DeepClone().AsObject()),
            _layout.Descriptor(legacy, platform.DeepClone().AsObject(), annotations.DeepClone().AsObject()));
        _layout.Entry(index, "application/vnd.oci.image.index.v1+json", refName: "1");
        await _layout.WriteIndexAsync();

        var result = await Pusher().PushAsync(new EcrPushSettings().SetSourceOciLayout($"{_layout.Path}:1").SetRepositoryName(Repository), CancellationToken.None);

        Assert.Equal(index, result.Digest);
        Assert.Equal([new EcrPushedReferrer(attestation, "application/vnd.docker.attestation.manifest.v1+json", amd64)], result.FirstDestination.Referrers);
        Assert.Equal([attestation], _registry.TagSchemaDigests(Host, Repository, amd64));
        Assert.NotNull(_registry.Manifest(Host, Repository, legacy));
        Assert.Equal(["linux/amd64", "unknown/unknown", "unknown/unknown"], result.FirstDestination.Platforms.Select(p => p.Platform));
    }

    [Fact]
    public async Task A_referrer_whose_subject_is_not_in_the_layout_is_named_before_any_request()
    {
        var image = _layout.Manifest(withMediaType: true, layerText: "orphan");
        _layout.Entry(image, TestLayout.OciManifest, refName: "1");
        _layout.Entry(Referrer("sha256:" + new string('d', 64), EcrAttachment.SpdxJson, "orphan sbom"), TestLayout.OciManifest, refName: null);
        await _layout.WriteIndexAsync();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Pusher().PushAsync(new EcrPushSettings().SetSourceOciLayout($"{_layout.Path}:1").SetRepositoryName(Repository), CancellationToken.None));

        Assert.Empty(_registry.Requests);
        Assert.Equal(0, _ecr.CreateCalls);
        await Verify(exception.Message.Replace(_layout.Path, "{Layout}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_referrer_with_a_media_type_ECR_refuses_is_named_before_any_request()
    {
        var image = _layout.Manifest(withMediaType: true, layerText: "bundle");
        _layout.Entry(image, TestLayout.OciManifest, refName: "1");
        _layout.Entry(Referrer(image, "application/vnd.dev.sigstore.bundle+json;version=0.2", "bundle"), TestLayout.OciManifest, refName: null);
        await _layout.WriteIndexAsync();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Pusher().PushAsync(new EcrPushSettings().SetSourceOciLayout($"{_layout.Path}:1").SetRepositoryName(Repository), CancellationToken.None));

        Assert.Empty(_registry.Requests);
        await Verify(exception.Message.Replace(_layout.Path, "{Layout}", StringComparison.Ordinal));
    }

    private Pusher Pusher() => new(_ecr, _ => throw new InvalidOperationException("no engine"), new TokenCache(_environment), _environment, _log) { RegistryHandler = () => _registry, RetryPolicy = TestRegistries.NoWaits };

    /// <summary>
    /// An artifact manifest as oras-go's PackManifest (image-spec v1.1) writes one: artifactType, the empty config with its
    /// bytes inline, the content as its layer titled by name, the subject, a created annotation; into the layout's blobs.
    /// </summary>
    private string Referrer(string subject, string artifactType, string content, string subjectMediaType = TestLayout.OciManifest)
    {
        var empty = _layout.Blob("{}"u8.ToArray());
        var layer = _layout.Blob(Encoding.UTF8.GetBytes(content));
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = TestLayout.OciManifest,
            ["artifactType"] = artifactType,
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.empty.v1+json", ["digest"] = empty.Digest, ["size"] = empty.Size, ["data"] = "e30=" },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = artifactType, ["digest"] = layer.Digest, ["size"] = layer.Size, ["annotations"] = new JsonObject { ["org.opencontainers.image.title"] = "content.json" } }),
            ["subject"] = new JsonObject { ["mediaType"] = subjectMediaType, ["digest"] = subject, ["size"] = File.Exists(_layout.BlobPath(subject)) ? new FileInfo(_layout.BlobPath(subject)).Length : 100 },
            ["annotations"] = new JsonObject { ["org.opencontainers.image.created"] = "2026-11-27T09:30:15Z" },
        };
        return _layout.Blob(Encoding.UTF8.GetBytes(manifest.ToJsonString())).Digest;
    }

    /// <summary>A BuildKit attestation manifest of <paramref name="subject"/>: the OCI artifact form, or the older one (a config of its own, no subject).</summary>
    private string BuildKitAttestation(string subject, bool asArtifact)
    {
        var statement = _layout.Blob(Encoding.UTF8.GetBytes($$$"""{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"_","digest":{"sha256":"{{{subject[7..]}}}"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"form":"{{{asArtifact}}}"}}"""));
        var layers = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.in-toto+json", ["digest"] = statement.Digest, ["size"] = statement.Size, ["annotations"] = new JsonObject { ["in-toto.io/predicate-type"] = "https://slsa.dev/provenance/v1" } });
        JsonObject manifest;
        if (asArtifact)
        {
            var empty = _layout.Blob("{}"u8.ToArray());
            manifest = new JsonObject
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = TestLayout.OciManifest,
                ["artifactType"] = "application/vnd.docker.attestation.manifest.v1+json",
                ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.empty.v1+json", ["digest"] = empty.Digest, ["size"] = empty.Size, ["data"] = "e30=" },
                ["layers"] = layers,
                ["subject"] = new JsonObject { ["mediaType"] = TestLayout.OciManifest, ["digest"] = subject, ["size"] = new FileInfo(_layout.BlobPath(subject)).Length },
            };
        }
        else
        {
            var config = _layout.Blob(Encoding.UTF8.GetBytes($$$"""{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":["{{{statement.Digest}}}"]}}"""));
            manifest = new JsonObject
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = TestLayout.OciManifest,
                ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = config.Digest, ["size"] = config.Size },
                ["layers"] = layers,
            };
        }

        return _layout.Blob(Encoding.UTF8.GetBytes(manifest.ToJsonString())).Digest;
    }
}
