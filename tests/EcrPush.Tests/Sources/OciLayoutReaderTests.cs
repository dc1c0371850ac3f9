using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ecr.Internal.Sources;

namespace Ecr.Tests.Sources;

/// <summary>Layouts written here byte by byte, read as the push reads them: which image, which platforms, what is wrong.</summary>
public sealed class OciLayoutReaderTests : IDisposable
{
    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    private readonly string _layout = Directory.CreateTempSubdirectory("ecrpush-layout-").FullName;
    private readonly JsonArray _entries = [];

    public OciLayoutReaderTests() => Directory.CreateDirectory(Path.Combine(_layout, "blobs", "sha256"));

    public void Dispose() => Directory.Delete(_layout, recursive: true);

    [Fact]
    public async Task A_manifest_without_a_top_level_media_type_gets_one_and_so_a_new_digest()
    {
        var original = Manifest(withMediaType: false, layerText: "one");
        Entry(original, OciManifest, refName: "v1");

        var read = await ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _layout, "v1", null));

        Assert.NotEqual(original, read.Digest);
        Assert.Equal(OciManifest, (string?)JsonNode.Parse(read.Bytes)!["mediaType"]);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(read.Bytes)), read.Digest);
        Assert.Equal(2, read.Blobs.Count);
    }

    [Fact]
    public async Task A_missing_layer_blob_names_its_file_before_anything_is_pushed()
    {
        var manifest = Manifest(withMediaType: true, layerText: "gone");
        Entry(manifest, OciManifest, refName: null);
        var layer = Digest(Encoding.UTF8.GetBytes("gone"));
        File.Delete(BlobPath(layer));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _layout, null, null)));

        Assert.Contains($"lacks the blob {layer} (no file {BlobPath(layer)})", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was pushed", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_whose_bytes_do_not_match_its_digest_is_named()
    {
        var manifest = Manifest(withMediaType: true, layerText: "x");
        Entry(manifest, OciManifest, refName: null);
        await File.AppendAllTextAsync(BlobPath(manifest), " ");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _layout, null, null)));

        Assert.Contains($"the file {BlobPath(manifest)} does not match its digest {manifest}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_images_and_no_name_is_an_error_listing_them()
    {
        Entry(Manifest(true, "a"), OciManifest, refName: "a");
        Entry(Manifest(true, "b"), OciManifest, refName: "b");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _layout, null, null)));

        Assert.Contains("holds 2 images (a (sha256:", exception.Message, StringComparison.Ordinal);
        Assert.Contains("name one after the path, PATH:NAME", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_index_keeps_its_bytes_with_all_platforms_and_attestations_and_is_rewritten_without_them()
    {
        var amd = Manifest(true, "amd");
        var arm = Manifest(true, "arm");
        var attestation = Manifest(true, "attestation");
        var index = Index(
            Descriptor(amd, new JsonObject { ["os"] = "linux", ["architecture"] = "amd64" }),
            Descriptor(arm, new JsonObject { ["os"] = "linux", ["architecture"] = "arm64", ["variant"] = "v8" }),
            Descriptor(attestation, new JsonObject { ["os"] = "unknown", ["architecture"] = "unknown" }, new JsonObject { ["vnd.docker.reference.type"] = "attestation-manifest", ["vnd.docker.reference.digest"] = amd }));
        Entry(index, "application/vnd.oci.image.index.v1+json", refName: "multi");

        var whole = await ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _layout, "multi", null));
        var armOnly = await ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _layout, "multi", null) { Platforms = ["linux/arm64/v8"] });
        var noAttestations = await ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _layout, "multi", null) { IncludeAttestations = false });
        var amdOnly = await ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _layout, "multi", null) { Platforms = ["linux/amd64"] });

        Assert.Equal(index, whole.Digest);
        Assert.Equal(["linux/amd64", "linux/arm64/v8", "unknown/unknown"], whole.Children.Select(c => c.Platform));
        Assert.Equal([arm], armOnly.Children.Select(c => c.Digest));
        Assert.Equal([arm], JsonNode.Parse(armOnly.Bytes)!["manifests"]!.AsArray().Select(m => (string)m!["digest"]!));
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], noAttestations.Children.Select(c => c.Platform));
        Assert.Equal([amd, attestation], amdOnly.Children.Select(c => c.Digest));
        var missing = await Assert.ThrowsAsync<EcrPushException>(() => ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _layout, "multi", null) { Platforms = ["linux/s390x"] }));
        Assert.Contains("is an index without the platform linux/s390x; it has linux/amd64, linux/arm64/v8", missing.Message, StringComparison.Ordinal);
    }

    private async Task<OciManifest> ReadAsync(ArtifactSource source)
    {
        await File.WriteAllTextAsync(Path.Combine(_layout, "index.json"), new JsonObject { ["schemaVersion"] = 2, ["manifests"] = _entries.DeepClone() }.ToJsonString());
        return await OciLayoutReader.ReadAsync(_layout, source, "The OCI layout under test", CancellationToken.None);
    }

    private string Manifest(bool withMediaType, string layerText)
    {
        var config = Blob(Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"note\":\"{layerText}\"}}"));
        var layer = Blob(Encoding.UTF8.GetBytes(layerText));
        var manifest = new JsonObject { ["schemaVersion"] = 2 };
        if (withMediaType)
        {
            manifest["mediaType"] = OciManifest;
        }

        manifest["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = config.Digest, ["size"] = config.Size };
        manifest["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip", ["digest"] = layer.Digest, ["size"] = layer.Size });
        return Blob(Encoding.UTF8.GetBytes(manifest.ToJsonString())).Digest;
    }

    private string Index(params JsonObject[] manifests)
        => Blob(Encoding.UTF8.GetBytes(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json", ["manifests"] = new JsonArray(manifests) }.ToJsonString())).Digest;

    private JsonObject Descriptor(string digest, JsonObject platform, JsonObject? annotations = null)
    {
        var descriptor = new JsonObject { ["mediaType"] = OciManifest, ["digest"] = digest, ["size"] = new FileInfo(BlobPath(digest)).Length, ["platform"] = platform };
        if (annotations is not null)
        {
            descriptor["annotations"] = annotations;
        }

        return descriptor;
    }

    private void Entry(string digest, string mediaType, string? refName)
    {
        var entry = new JsonObject { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = new FileInfo(BlobPath(digest)).Length };
        if (refName is not null)
        {
            entry["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = refName };
        }

        _entries.Add(entry);
    }

    private (string Digest, long Size) Blob(byte[] bytes)
    {
        var digest = Digest(bytes);
        File.WriteAllBytes(BlobPath(digest), bytes);
        return (digest, bytes.LongLength);
    }

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private string BlobPath(string digest) => Path.Combine(_layout, "blobs", "sha256", digest[7..]);
}
