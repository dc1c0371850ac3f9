using System.Text.Json;
using System.Text.Json.Nodes;
using Ecr.Internal.Images;

namespace Ecr.Internal.Sources;

/// <summary>
/// Reads one image (a manifest, or an index and its manifests) out of an OCI image layout folder: picks the entry of
/// index.json, checks every manifest's bytes against its digest and that every blob is there with its size, and keeps
/// only the platforms asked for; and the referrers of what it keeps (OciLayoutReader.Referrers.cs). Blob contents are
/// not read here; their digests are checked as they upload.
/// </summary>
internal static partial class OciLayoutReader
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private const string ReferenceTypeAnnotation = "vnd.docker.reference.type";
    private const string ReferenceDigestAnnotation = "vnd.docker.reference.digest";

    // Manifests are small; a "manifest" larger than this is not one, and would only be read into memory.
    private const long MaxManifestSize = 4 * 1024 * 1024;

    /// <param name="layout">The layout folder (a layout as it is, or an unpacked archive).</param>
    /// <param name="source">Which image of it, and which platforms.</param>
    /// <param name="shownAs">How messages name the layout or archive.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    public static async Task<ImageManifest> ReadAsync(string layout, ImageFileSpec source, string shownAs, CancellationToken cancellationToken)
        => (await ReadRootAsync(layout, source, shownAs, cancellationToken).ConfigureAwait(false)).Root;

    /// <summary>The image chosen, the index.json entry it was chosen by, and every entry of index.json.</summary>
    private static async Task<(ImageManifest Root, JsonElement Chosen, IReadOnlyList<JsonElement> Entries)> ReadRootAsync(string layout, ImageFileSpec source, string shownAs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        JsonElement top;
        try
        {
            top = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(layout, "index.json"), cancellationToken).ConfigureAwait(false)).RootElement;
        }
        catch (Exception exception) when (exception is JsonException or IOException)
        {
            throw new EcrPushException($"{shownAs}: index.json cannot be read ({exception.Message}). The layout is damaged; write it again.", exception);
        }

        var entries = ManifestJson.Array(top, "manifests");
        var chosen = Choose(entries, source, shownAs, layout);
        return (await ReadDescriptorAsync(layout, chosen, source, shownAs, topLevel: true, cancellationToken).ConfigureAwait(false), chosen, entries);
    }

    private static JsonElement Choose(IReadOnlyList<JsonElement> entries, ImageFileSpec source, string shownAs, string layout)
    {
        if (source.Digest is { } digest)
        {
            return entries.FirstOrDefault(e => ManifestJson.String(e, "digest") == digest) is { ValueKind: JsonValueKind.Object } byDigest
                ? byDigest
                : throw new EcrPushException($"{shownAs}: index.json has no image {digest}; it has {Listing(entries)}. Correct the digest after '@'.");
        }

        if (source.Tag is { } tag)
        {
            var named = entries.Where(e => RefNames(e).Contains(tag, StringComparer.Ordinal)).ToList();
            return named.Count == 1
                ? named[0]
                : throw new EcrPushException($"{shownAs}: index.json {(named.Count == 0 ? "has no image named" : "has several images named")} {tag}; it has {Listing(entries)}. Correct the name after ':'.");
        }

        // oras and notation list a referrer they write into a layout in index.json too, untagged: it is not an image to choose.
        entries = [.. entries.Where(entry => !IsReferrerEntry(layout, entry))];
        return entries.Count == 1
            ? entries[0]
            : throw new EcrPushException($"{shownAs} holds {(entries.Count == 0 ? "no image" : $"{entries.Count} images ({Listing(entries)})")}: {(entries.Count == 0 ? "write the image into it again" : "name one after the path, PATH:NAME or PATH@sha256:…")}.");
    }

    private static async Task<ImageManifest> ReadDescriptorAsync(string layout, JsonElement descriptor, ImageFileSpec source, string shownAs, bool topLevel, CancellationToken cancellationToken)
    {
        var digest = ManifestJson.String(descriptor, "digest") ?? throw new EcrPushException($"{shownAs}: an entry of index.json has no digest. The layout is damaged; write it again.");
        var (bytes, json) = await ReadManifestBlobAsync(layout, digest, descriptor, shownAs, cancellationToken).ConfigureAwait(false);
        var mediaType = ManifestJson.String(json, "mediaType") ?? ManifestJson.String(descriptor, "mediaType");
        if (!MediaTypes.IsIndex(mediaType) && !MediaTypes.IsManifest(mediaType))
        {
            throw new EcrPushException($"{shownAs}: {digest} has the media type {mediaType ?? "(none)"}, which is neither an image manifest nor an index ({MediaTypes.OciManifest}, {MediaTypes.OciIndex}, or Docker's v2 ones); it cannot be pushed as an image.");
        }

        if (MediaTypes.IsIndex(mediaType))
        {
            return await ReadIndexAsync(layout, bytes, json, mediaType!, source, shownAs, cancellationToken).ConfigureAwait(false);
        }

        var config = json.TryGetProperty("config", out var c) ? BlobOf(layout, c, shownAs) : throw new EcrPushException($"{shownAs}: the manifest {digest} has no config. The layout is damaged; write it again.");
        var layers = ManifestJson.Array(json, "layers").Select(layer => BlobOf(layout, layer, shownAs)).ToList();

        // ECR refuses an OCI manifest without a top-level mediaType (containers/image #584): add it, which makes new bytes.
        if (ManifestJson.String(json, "mediaType") is null)
        {
            bytes = ManifestJson.Write(JsonNode.Parse(bytes)!.AsObject(), mediaType);
            digest = Sha256.Of(bytes);
        }

        return new ImageManifest(mediaType!, bytes, digest, config, layers, []) { Platform = topLevel ? null : Platform.Of(descriptor), Subject = ManifestJson.SubjectOf(json), ArtifactType = ManifestJson.String(json, "artifactType") };
    }

    private static async Task<ImageManifest> ReadIndexAsync(string layout, byte[] bytes, JsonElement json, string mediaType, ImageFileSpec source, string shownAs, CancellationToken cancellationToken)
    {
        var all = ManifestJson.Array(json, "manifests");
        foreach (var platform in source.Platforms.Where(p => !all.Any(e => Platform.Of(e) == p)))
        {
            throw new EcrPushException($"{shownAs} is an index without the platform {platform}; it has {string.Join(", ", all.Where(e => !IsAttestation(e)).Select(Platform.Of))}. Correct Platforms, or reset it to push all.");
        }

        var platformsKept = all.Where(e => !IsAttestation(e) && (source.Platforms.Count == 0 || source.Platforms.Contains(Platform.Of(e), StringComparer.Ordinal)));
        var keptDigests = platformsKept.Select(e => ManifestJson.String(e, "digest")).ToHashSet(StringComparer.Ordinal);
        var kept = all.Where(e => keptDigests.Contains(ManifestJson.String(e, "digest"))
            || (source.IncludeAttestations && IsAttestation(e) && ManifestJson.Annotation(e, ReferenceDigestAnnotation) is { } subject && keptDigests.Contains(subject))).ToList();

        var children = new List<ImageManifest>();
        foreach (var entry in kept)
        {
            var child = await ReadDescriptorAsync(layout, entry, source, shownAs, topLevel: false, cancellationToken).ConfigureAwait(false);
            if (child.IsIndex)
            {
                throw new EcrPushException($"{shownAs}: the index holds another index ({ManifestJson.String(entry, "digest")}); nested indexes are not pushed. Flatten it (e.g. `skopeo copy --all`).");
            }

            children.Add(child);
        }

        // The index is pushed as it is unless something in it changed: platforms left out, or a child given its mediaType.
        var changed = kept.Count != all.Count || Enumerable.Range(0, kept.Count).Any(i => children[i].Digest != ManifestJson.String(kept[i], "digest")) || ManifestJson.String(json, "mediaType") is null;
        if (changed)
        {
            var node = JsonNode.Parse(bytes)!.AsObject();
            var manifests = new JsonArray();
            for (var i = 0; i < kept.Count; i++)
            {
                var entry = JsonNode.Parse(kept[i].GetRawText())!.AsObject();
                entry["digest"] = children[i].Digest;
                entry["size"] = children[i].Bytes.LongLength;
                manifests.Add(entry);
            }

            node["manifests"] = manifests;
            bytes = ManifestJson.Write(node, mediaType);
        }

        return new ImageManifest(mediaType, bytes, Sha256.Of(bytes), Config: null, [], children);
    }

    private static async Task<(byte[] Bytes, JsonElement Json)> ReadManifestBlobAsync(string layout, string digest, JsonElement descriptor, string shownAs, CancellationToken cancellationToken)
    {
        if (!Names.Digest().IsMatch(digest))
        {
            throw new EcrPushException($"{shownAs}: {SettingsValidator.Show(digest)} is not a sha256 digest; only sha256 is pushed.");
        }

        var path = LayoutBlobs.PathOf(layout, digest);
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new EcrPushException($"{shownAs} lacks the blob {digest} (no file {path}), which an image of it needs. The layout is incomplete; write it again.");
        }

        if (file.Length > MaxManifestSize)
        {
            throw new EcrPushException($"{shownAs}: {path} is {file.Length} bytes, too large for a manifest. The layout is damaged; write it again.");
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (Sha256.Of(bytes) is var actual && actual != digest)
        {
            throw new EcrPushException($"{shownAs}: the file {path} does not match its digest {digest} (its content is {actual}). The layout is damaged; write it again.");
        }

        if (descriptor.TryGetProperty("size", out var size) && size.TryGetInt64(out var expected) && expected != bytes.LongLength)
        {
            throw new EcrPushException($"{shownAs}: {digest} is {bytes.LongLength} bytes, but index.json says {expected}. The layout is damaged; write it again.");
        }

        try
        {
            return (bytes, JsonDocument.Parse(bytes).RootElement);
        }
        catch (JsonException exception)
        {
            throw new EcrPushException($"{shownAs}: {path} is not a manifest (not JSON: {exception.Message}).", exception);
        }
    }

    /// <summary>A blob a manifest names, checked to be in the layout with its size; a foreign layer is not in a layout and is not checked.</summary>
    private static Descriptor BlobOf(string layout, JsonElement json, string shownAs)
    {
        var blob = ManifestJson.Descriptor(json)
            ?? throw new EcrPushException($"{shownAs}: a manifest has a blob without a sha256 digest or a size ({SettingsValidator.Show(json.GetRawText())}). The layout is damaged; write it again.");
        if (blob.IsForeign)
        {
            return blob;
        }

        var path = LayoutBlobs.PathOf(layout, blob.Digest);
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new EcrPushException($"{shownAs} lacks the blob {blob.Digest} (no file {path}), which the image needs. The layout is incomplete; write it again.");
        }

        if (file.Length != blob.Size)
        {
            throw new EcrPushException($"{shownAs}: the blob {path} is {file.Length} bytes, but its manifest says {blob.Size}. The layout is damaged; write it again.");
        }

        return blob;
    }

    private static IEnumerable<string> RefNames(JsonElement descriptor)
    {
        if (ManifestJson.Annotation(descriptor, RefNameAnnotation) is { } name)
        {
            yield return name;
        }

        // docker save (25+) and containerd name the image in full: take its tag too.
        if (ManifestJson.Annotation(descriptor, "io.containerd.image.name") is { } full)
        {
            yield return full;
            if (full.LastIndexOf(':') is var colon && colon > full.LastIndexOf('/'))
            {
                yield return full[(colon + 1)..];
            }
        }
    }

    private static bool IsAttestation(JsonElement descriptor) => ManifestJson.Annotation(descriptor, ReferenceTypeAnnotation) == "attestation-manifest";

    private static string Listing(IReadOnlyList<JsonElement> entries)
        => entries.Count == 0 ? "none" : string.Join(", ", entries.Take(10).Select(e => RefNames(e).FirstOrDefault() is { } name ? $"{name} ({ManifestJson.String(e, "digest")})" : ManifestJson.String(e, "digest")));
}

/// <summary>The blobs of a layout folder (or an unpacked archive): <c>blobs/sha256/&lt;hex&gt;</c>.</summary>
internal sealed class LayoutBlobs(string layout) : IBlobSource
{
    public BlobLocation? Location => null;

    /// <summary>The file name of a digest's blob in a layout.</summary>
    public static string PathOf(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);

    public Task<Stream> OpenAsync(Descriptor blob, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        return Task.FromResult<Stream>(new FileStream(PathOf(layout, blob.Digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true));
    }

    public string WrongSize(Descriptor blob, long read)
        => $"The blob file {PathOf(layout, blob.Digest)} changed while it was read: it is not {blob.Size} bytes as its manifest says. Write the image again.";

    public string WrongDigest(Descriptor blob, string actual)
        => $"The blob file {PathOf(layout, blob.Digest)} does not match its digest {blob.Digest} (its content is {actual}): the layout or archive is damaged. Write it again.";
}
