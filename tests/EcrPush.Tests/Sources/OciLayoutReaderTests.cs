using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ecr.Internal.Images;
using Ecr.Internal.Sources;

namespace Ecr.Tests.Sources;

/// <summary>Layouts written here byte by byte, read as the push reads them: which image, which platforms, what is wrong.</summary>
public sealed class OciLayoutReaderTests : IDisposable
{
    private const string OciManifest = TestLayout.OciManifest;
    private readonly TestLayout _test = new();

    public void Dispose() => _test.Dispose();

    [Fact]
    public async Task A_manifest_without_a_top_level_media_type_gets_one_and_so_a_new_digest()
    {
        var original = _test.Manifest(withMediaType: false, layerText: "one");
        _test.Entry(original, OciManifest, refName: "v1");

        var read = await ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _test.Path, "v1", null));

        Assert.NotEqual(original, read.Digest);
        Assert.Equal(OciManifest, (string?)JsonNode.Parse(read.Bytes)!["mediaType"]);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(read.Bytes)), read.Digest);
        Assert.Equal(2, read.AllBlobs.Count());
    }

    [Fact]
    public async Task A_missing_layer_blob_names_its_file_before_anything_is_pushed()
    {
        var manifest = _test.Manifest(withMediaType: true, layerText: "gone");
        _test.Entry(manifest, OciManifest, refName: null);
        var layer = TestLayout.Digest(Encoding.UTF8.GetBytes("gone"));
        File.Delete(_test.BlobPath(layer));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _test.Path, null, null)));

        Assert.Contains($"lacks the blob {layer} (no file {_test.BlobPath(layer)})", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_whose_bytes_do_not_match_its_digest_is_named()
    {
        var manifest = _test.Manifest(withMediaType: true, layerText: "x");
        _test.Entry(manifest, OciManifest, refName: null);
        await File.AppendAllTextAsync(_test.BlobPath(manifest), " ");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _test.Path, null, null)));

        Assert.Contains($"the file {_test.BlobPath(manifest)} does not match its digest {manifest}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_images_and_no_name_is_an_error_listing_them()
    {
        _test.Entry(_test.Manifest(true, "a"), OciManifest, refName: "a");
        _test.Entry(_test.Manifest(true, "b"), OciManifest, refName: "b");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _test.Path, null, null)));

        Assert.Contains("holds 2 images (a (sha256:", exception.Message, StringComparison.Ordinal);
        Assert.Contains("name one after the path, PATH:NAME", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_index_keeps_its_bytes_with_all_platforms_and_attestations_and_is_rewritten_without_them()
    {
        var amd = _test.Manifest(true, "amd");
        var arm = _test.Manifest(true, "arm");
        var attestation = _test.Manifest(true, "attestation");
        var index = _test.Index(
            _test.Descriptor(amd, new JsonObject { ["os"] = "linux", ["architecture"] = "amd64" }),
            _test.Descriptor(arm, new JsonObject { ["os"] = "linux", ["architecture"] = "arm64", ["variant"] = "v8" }),
            _test.Descriptor(attestation, new JsonObject { ["os"] = "unknown", ["architecture"] = "unknown" }, new JsonObject { ["vnd.docker.reference.type"] = "attestation-manifest", ["vnd.docker.reference.digest"] = amd }));
        _test.Entry(index, "application/vnd.oci.image.index.v1+json", refName: "multi");

        var whole = await ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _test.Path, "multi", null));
        var armOnly = await ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _test.Path, "multi", null) { Platforms = ["linux/arm64/v8"] });
        var noAttestations = await ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _test.Path, "multi", null) { IncludeAttestations = false });
        var amdOnly = await ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _test.Path, "multi", null) { Platforms = ["linux/amd64"] });

        Assert.Equal(index, whole.Digest);
        Assert.Equal(["linux/amd64", "linux/arm64/v8", "unknown/unknown"], whole.Children.Select(c => c.Platform));
        Assert.Equal([arm], armOnly.Children.Select(c => c.Digest));
        Assert.Equal([arm], JsonNode.Parse(armOnly.Bytes)!["manifests"]!.AsArray().Select(m => (string)m!["digest"]!));

        // Written as every other tool writes it, "+json", not JSON's "\u002Bjson" (people read manifests with grep).
        var text = Encoding.UTF8.GetString(armOnly.Bytes);
        Assert.StartsWith("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", text, StringComparison.Ordinal);
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], noAttestations.Children.Select(c => c.Platform));
        Assert.Equal([amd, attestation], amdOnly.Children.Select(c => c.Digest));
        var missing = await Assert.ThrowsAsync<EcrPushException>(() => ReadAsync(new ArtifactSource(ArtifactKind.OciLayout, _test.Path, "multi", null) { Platforms = ["linux/s390x"] }));
        Assert.Contains("is an index without the platform linux/s390x; it has linux/amd64, linux/arm64/v8", missing.Message, StringComparison.Ordinal);
    }

    private async Task<ImageManifest> ReadAsync(ArtifactSource source)
    {
        await _test.WriteIndexAsync();
        return await OciLayoutReader.ReadAsync(_test.Path, source, "The OCI layout under test", CancellationToken.None);
    }
}
