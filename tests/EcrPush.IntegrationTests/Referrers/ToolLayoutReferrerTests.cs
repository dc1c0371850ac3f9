using System.Formats.Tar;
using System.Text;
using System.Text.Json.Nodes;
using Ecr.IntegrationTests.Sources;
using Ecr.TestStack;
using static Ecr.IntegrationTests.Referrers.ReferrerChecks;

namespace Ecr.IntegrationTests.Referrers;

/// <summary>
/// Referrers in files made the way the tools make them, pushed to the real registry: a skopeo layout to which an SBOM
/// and a Notary signature were attached as <c>oras attach --oci-layout</c> and <c>notation sign --oci-layout</c> leave
/// them (oras-go's PackManifest, image-spec 1.1: artifactType, the empty config with its bytes inline, a created
/// annotation, the subject; its layout store lists each manifest in index.json, untagged), and a BuildKit OCI archive
/// with an attestation in each of BuildKit's two forms.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class ToolLayoutReferrerTests(StackFixture fixture) : IDisposable
{
    private const string Region = "us-east-1";
    private const string Notary = "application/vnd.cncf.notary.signature";
    private const string BuildKitAttestation = "application/vnd.docker.attestation.manifest.v1+json";
    private readonly ScratchFolders _folders = new();

    private LocalEcrStack Stack => fixture.Stack;

    public void Dispose() => _folders.Dispose();

    [Fact]
    public async Task A_layout_with_an_oras_SBOM_and_a_notation_signature_pushes_both_after_the_image_and_lists_them_under_its_tag()
    {
        await Stack.BuildImageAsync("it-oras-layout:1");
        var layout = Path.Combine(_folders.New("oras"), "oci");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-oras-layout:1", $"oci:{layout}:1");
        await WithMediaTypeAsync(layout);
        var image = Entries(layout).Single();
        var subject = Descriptor(image);
        var sbom = await ArtifactAsync(layout, EcrAttachment.SpdxJson, EcrAttachment.SpdxJson, """{"spdxVersion":"SPDX-2.3","name":"it-oras-layout"}"""u8.ToArray(), subject, new JsonObject { ["org.opencontainers.image.created"] = "2026-11-27T09:30:15Z" });
        var signature = await ArtifactAsync(layout, Notary, "application/jose+json", """{"payload":"e30","protected":"e30","signature":"c2ln"}"""u8.ToArray(), subject, new JsonObject
        {
            ["io.cncf.notary.x509chain.thumbprint#S256"] = "[\"0a\"]",
            ["org.opencontainers.image.created"] = "2026-11-27T09:30:16Z",
        });
        await AddEntriesAsync(layout, sbom, signature);
        var repository = StackChecks.NewRepository("oras-layout");

        // The layout's only image, its referrers not counted as images to choose from.
        var result = await SourceTools.PushAsync(Stack, new EcrPushSettings().SetRegion(Region).SetSourceOciLayout(layout).SetRepositoryName(repository).EnableAutoCreateRepository());

        Assert.Equal((string)image["digest"]!, result.Digest);
        Assert.Equal([(sbom.Digest, EcrAttachment.SpdxJson), (signature.Digest, Notary)], result.FirstDestination.Referrers.Select(r => (r.Digest, r.ArtifactType)));
        Assert.Equal(new[] { sbom.Digest, signature.Digest }.Order(StringComparer.Ordinal), (await TagSchemaAsync(Stack, Region, repository, result.Digest)).Order(StringComparer.Ordinal));
        Assert.Equal("[\"0a\"]", (string)(await ManifestAsync(Stack, Region, repository, signature.Digest))["annotations"]!["io.cncf.notary.x509chain.thumbprint#S256"]!);
        Assert.Equal(await ConfigOfAsync(layout, result.Digest), await StackChecks.PullBackAsync(Stack, Region, result.DigestReference));
    }

    [Fact]
    public async Task A_BuildKit_archive_with_an_attestation_in_each_form_pushes_both_in_the_index_and_lists_the_OCI_artifact_one_as_a_referrer()
    {
        await Stack.BuildImageAsync("it-buildkit-archive:1");
        var folder = _folders.New("buildkit");
        var layout = Path.Combine(folder, "oci");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-buildkit-archive:1", $"oci:{layout}:1");
        await WithMediaTypeAsync(layout);
        var platform = Entries(layout).Single();
        platform["platform"] = new JsonObject { ["architecture"] = "amd64", ["os"] = "linux" };
        platform.Remove("annotations");
        var platformDigest = (string)platform["digest"]!;

        // BuildKit's attestation storage (moby/buildkit docs/attestations/attestation-storage.md), and its oci-artifact
        // form (docs.docker.com build/metadata/attestations): an artifactType, the empty config, a subject.
        var statement = Encoding.UTF8.GetBytes($$$"""{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"_","digest":{"sha256":"{{{platformDigest[7..]}}}"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}""");
        var intoto = new JsonObject { ["in-toto.io/predicate-type"] = "https://slsa.dev/provenance/v1" };
        var artifactForm = await ArtifactAsync(layout, BuildKitAttestation, "application/vnd.in-toto+json", statement, Descriptor(platform), annotations: null, layerAnnotations: intoto);
        var legacyConfig = await BlobAsync(layout, Encoding.UTF8.GetBytes($$$"""{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":["{{{Digest(statement)}}}"]}}"""));
        var legacyForm = await BlobAsync(layout, Utf8(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciManifest,
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = legacyConfig.Digest, ["size"] = legacyConfig.Size },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.in-toto+json", ["digest"] = Digest(statement), ["size"] = statement.Length, ["annotations"] = intoto.DeepClone() }),
        }));
        var index = await BlobAsync(layout, Utf8(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciIndex,
            ["manifests"] = new JsonArray(platform.DeepClone(), Attestation(artifactForm, platformDigest), Attestation(legacyForm, platformDigest)),
        }));
        await File.WriteAllTextAsync(Path.Combine(layout, "index.json"), new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject { ["mediaType"] = OciIndex, ["digest"] = index.Digest, ["size"] = index.Size, ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = "1" } }),
        }.ToJsonString());
        var archive = Path.Combine(folder, "web.tar");
        await TarFile.CreateFromDirectoryAsync(layout, archive, includeBaseDirectory: false);
        var repository = StackChecks.NewRepository("buildkit");

        var result = await SourceTools.PushAsync(Stack, new EcrPushSettings().SetRegion(Region).SetSourceImageArchive(archive).SetRepositoryName(repository).EnableAutoCreateRepository());

        Assert.Equal(index.Digest, result.Digest);
        Assert.Equal(["linux/amd64", "unknown/unknown", "unknown/unknown"], result.FirstDestination.Platforms.Select(p => p.Platform));
        Assert.Equal([new EcrPushedReferrer(artifactForm.Digest, BuildKitAttestation, platformDigest)], result.FirstDestination.Referrers);
        Assert.Equal([artifactForm.Digest], await TagSchemaAsync(Stack, Region, repository, platformDigest));
        Assert.Equal(legacyConfig.Digest, (string)(await ManifestAsync(Stack, Region, repository, legacyForm.Digest))["config"]!["digest"]!);
        Assert.Equal(await ConfigOfAsync(layout, platformDigest), await StackChecks.PullBackAsync(Stack, Region, result.DigestReference));
    }

    /// <summary>The config digest of a manifest in the layout: the image ID an engine gives the image it pulls.</summary>
    private static async Task<string> ConfigOfAsync(string layout, string manifestDigest)
        => (string)JsonNode.Parse(await File.ReadAllBytesAsync(Path.Combine(layout, "blobs", "sha256", manifestDigest[7..])))!["config"]!["digest"]!;

    /// <summary>
    /// The layout's manifest with its top-level <c>mediaType</c>, as BuildKit and oras write manifests: skopeo 1.9 leaves it
    /// out, and a push adds it (ECR refuses an OCI manifest without it), which makes a new digest that a referrer made
    /// for the old one does not refer to (the push leaves such a referrer out, with a warning; LayoutReferrerTests).
    /// </summary>
    private static async Task WithMediaTypeAsync(string layout)
    {
        var entries = Entries(layout);
        var entry = entries.Single();
        var manifest = JsonNode.Parse(await File.ReadAllBytesAsync(Path.Combine(layout, "blobs", "sha256", ((string)entry["digest"]!)[7..])))!.AsObject();
        if (manifest["mediaType"] is not null)
        {
            return;
        }

        var ordered = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = OciManifest };
        foreach (var (key, value) in manifest.Where(pair => pair.Key != "schemaVersion").ToList())
        {
            ordered[key] = value!.DeepClone();
        }

        var written = await BlobAsync(layout, Utf8(ordered));
        (entry["digest"], entry["size"]) = (written.Digest, written.Size);
        await File.WriteAllTextAsync(Path.Combine(layout, "index.json"), new JsonObject { ["schemaVersion"] = 2, ["manifests"] = new JsonArray([.. entries.Select(e => (JsonNode)e.DeepClone())]) }.ToJsonString());
    }

    private static JsonObject Attestation((string Digest, long Size) manifest, string subject) => new()
    {
        ["mediaType"] = OciManifest,
        ["digest"] = manifest.Digest,
        ["size"] = manifest.Size,
        ["annotations"] = new JsonObject { ["vnd.docker.reference.digest"] = subject, ["vnd.docker.reference.type"] = "attestation-manifest" },
        ["platform"] = new JsonObject { ["architecture"] = "unknown", ["os"] = "unknown" },
    };

    private static List<JsonObject> Entries(string layout)
        => [.. JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!["manifests"]!.AsArray().Select(entry => entry!.AsObject())];

    private static JsonObject Descriptor(JsonObject entry) => new() { ["mediaType"] = (string)entry["mediaType"]!, ["digest"] = (string)entry["digest"]!, ["size"] = (long)entry["size"]! };

    /// <summary>An artifact manifest as oras-go's PackManifest writes it for image-spec 1.1, with its blobs, into the layout.</summary>
    private static async Task<(string Digest, long Size)> ArtifactAsync(string layout, string artifactType, string layerMediaType, byte[] content, JsonObject subject, JsonObject? annotations, JsonObject? layerAnnotations = null)
    {
        var empty = await BlobAsync(layout, "{}"u8.ToArray());
        var layer = await BlobAsync(layout, content);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciManifest,
            ["artifactType"] = artifactType,
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.empty.v1+json", ["digest"] = empty.Digest, ["size"] = empty.Size, ["data"] = "e30=" },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = layerMediaType, ["digest"] = layer.Digest, ["size"] = layer.Size, ["annotations"] = layerAnnotations?.DeepClone() ?? new JsonObject { ["org.opencontainers.image.title"] = "content.json" } }),
            ["subject"] = subject.DeepClone(),
        };
        if (annotations is not null)
        {
            manifest["annotations"] = annotations;
        }

        return await BlobAsync(layout, Utf8(manifest));
    }

    private static async Task<(string Digest, long Size)> BlobAsync(string layout, byte[] bytes)
    {
        var digest = Digest(bytes);
        await File.WriteAllBytesAsync(Path.Combine(layout, "blobs", "sha256", digest[7..]), bytes);
        return (digest, bytes.Length);
    }

    /// <summary>Lists manifests in index.json untagged, as oras-go's layout store does for every manifest it stores.</summary>
    private static async Task AddEntriesAsync(string layout, params (string Digest, long Size)[] manifests)
    {
        var top = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!.AsObject();
        foreach (var (digest, size) in manifests)
        {
            top["manifests"]!.AsArray().Add(new JsonObject { ["mediaType"] = OciManifest, ["digest"] = digest, ["size"] = size });
        }

        await File.WriteAllTextAsync(Path.Combine(layout, "index.json"), top.ToJsonString());
    }
}
