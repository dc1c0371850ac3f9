using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ecr.Internal.Sources;

/// <summary>
/// Reads one image (a manifest, or an index and its manifests) out of an OCI image layout folder: picks the entry of
/// index.json, checks every manifest's bytes against its digest and that every blob is there with its size, and keeps
/// only the platforms asked for. Blob contents are not read here; their digests are checked as they upload.
/// </summary>
internal static class OciLayoutReader
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private const string ReferenceTypeAnnotation = "vnd.docker.reference.type";
    private const string ReferenceDigestAnnotation = "vnd.docker.reference.digest";

    // Manifests are small; a "manifest" larger than this is not one, and would only be read into memory.
    private const long MaxManifestSize = 4 * 1024 * 1024;

    public static async Task<OciManifest> ReadAsync(string layout, ArtifactSource source, string shownAs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var indexPath = Path.Combine(layout, "index.json");
        JsonElement top;
        try
        {
            top = JsonDocument.Parse(await File.ReadAllBytesAsync(indexPath, cancellationToken).ConfigureAwait(false)).RootElement;
        }
        catch (Exception exception) when (exception is JsonException or IOException)
        {
            throw new EcrPushException($"{shownAs}: index.json cannot be read ({exception.Message}). The layout is damaged; write it again.", exception);
        }

        var entries = Descriptors(top, "manifests");
        var chosen = Choose(entries, source, shownAs);
        return await ReadDescriptorAsync(layout, chosen, source, shownAs, topLevel: true, cancellationToken).ConfigureAwait(false);
    }

    private static JsonElement Choose(List<JsonElement> entries, ArtifactSource source, string shownAs)
    {
        if (source.Digest is { } digest)
        {
            return entries.FirstOrDefault(e => Str(e, "digest") == digest) is { ValueKind: JsonValueKind.Object } byDigest
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

        return entries.Count == 1
            ? entries[0]
            : throw new EcrPushException($"{shownAs} holds {(entries.Count == 0 ? "no image" : $"{entries.Count} images ({Listing(entries)})")}: {(entries.Count == 0 ? "write the image into it again" : "name one after the path, PATH:NAME or PATH@sha256:…")}.");
    }

    private static async Task<OciManifest> ReadDescriptorAsync(string layout, JsonElement descriptor, ArtifactSource source, string shownAs, bool topLevel, CancellationToken cancellationToken)
    {
        var digest = Str(descriptor, "digest") ?? throw new EcrPushException($"{shownAs}: an entry of index.json has no digest. The layout is damaged; write it again.");
        var (bytes, json) = await ReadManifestBlobAsync(layout, digest, descriptor, shownAs, cancellationToken).ConfigureAwait(false);
        var mediaType = Str(json, "mediaType") ?? Str(descriptor, "mediaType");
        if (!MediaTypes.IsIndex(mediaType) && !MediaTypes.IsManifest(mediaType))
        {
            throw new EcrPushException($"{shownAs}: {digest} has the media type {mediaType ?? "(none)"}, which is neither an image manifest nor an index ({MediaTypes.OciManifest}, {MediaTypes.OciIndex}, or Docker's v2 ones); it cannot be pushed as an image.");
        }

        if (MediaTypes.IsIndex(mediaType))
        {
            return await ReadIndexAsync(layout, bytes, json, mediaType!, source, shownAs, cancellationToken).ConfigureAwait(false);
        }

        var blobs = new List<BlobFile>();
        var config = json.TryGetProperty("config", out var c) ? c : throw new EcrPushException($"{shownAs}: the manifest {digest} has no config. The layout is damaged; write it again.");
        foreach (var blob in new[] { config }.Concat(Descriptors(json, "layers")))
        {
            blobs.Add(BlobOf(layout, blob, shownAs));
        }

        // ECR refuses an OCI manifest without a top-level mediaType (containers/image #584): add it, which makes new bytes.
        (bytes, digest) = WithMediaType(bytes, json, mediaType!, digest);
        return new OciManifest(mediaType!, bytes, digest, Str(config, "digest"), blobs, []) { Platform = topLevel ? null : PlatformOf(descriptor) };
    }

    private static async Task<OciManifest> ReadIndexAsync(string layout, byte[] bytes, JsonElement json, string mediaType, ArtifactSource source, string shownAs, CancellationToken cancellationToken)
    {
        var all = Descriptors(json, "manifests");
        var platformsKept = all.Where(e => !IsAttestation(e) && (source.Platforms.Count == 0 || source.Platforms.Contains(PlatformOf(e), StringComparer.Ordinal))).ToList();
        var keptDigests = platformsKept.Select(e => Str(e, "digest")).ToHashSet(StringComparer.Ordinal);
        var kept = all.Where(e => keptDigests.Contains(Str(e, "digest")) || (source.IncludeAttestations && IsAttestation(e) && Annotation(e, ReferenceDigestAnnotation) is { } subject && keptDigests.Contains(subject))).ToList();
        foreach (var platform in source.Platforms.Where(p => !all.Any(e => PlatformOf(e) == p)))
        {
            throw new EcrPushException($"{shownAs} is an index without the platform {platform}; it has {string.Join(", ", all.Where(e => !IsAttestation(e)).Select(PlatformOf))}. Correct Platforms, or reset it to push all.");
        }

        var children = new List<OciManifest>();
        foreach (var entry in kept)
        {
            var child = await ReadDescriptorAsync(layout, entry, source, shownAs, topLevel: false, cancellationToken).ConfigureAwait(false);
            if (child.IsIndex)
            {
                throw new EcrPushException($"{shownAs}: the index holds another index ({Str(entry, "digest")}); nested indexes are not pushed. Flatten it (e.g. `skopeo copy --all`).");
            }

            children.Add(child);
        }

        // The index is pushed as it is unless something in it changed: platforms left out, or a child given its mediaType.
        var digest = Sha256.Of(bytes);
        var changed = kept.Count != all.Count || Enumerable.Range(0, kept.Count).Any(i => children[i].Digest != Str(kept[i], "digest")) || Str(json, "mediaType") is null;
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
            bytes = Serialize(node, mediaType);
            digest = Sha256.Of(bytes);
        }

        return new OciManifest(mediaType, bytes, digest, ConfigDigest: null, [], children);
    }

    private static async Task<(byte[] Bytes, JsonElement Json)> ReadManifestBlobAsync(string layout, string digest, JsonElement descriptor, string shownAs, CancellationToken cancellationToken)
    {
        if (!Names.Digest().IsMatch(digest))
        {
            throw new EcrPushException($"{shownAs}: {SettingsValidator.Show(digest)} is not a sha256 digest; only sha256 is pushed.");
        }

        var path = Sha256.BlobPath(layout, digest);
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
            throw new EcrPushException($"{shownAs}: the file {path} does not match its digest {digest} (its content is {actual}). The layout is damaged; write it again. Nothing was pushed.");
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

    private static BlobFile BlobOf(string layout, JsonElement descriptor, string shownAs)
    {
        var digest = Str(descriptor, "digest");
        if (digest is null || !Names.Digest().IsMatch(digest) || !descriptor.TryGetProperty("size", out var sizeElement) || !sizeElement.TryGetInt64(out var size))
        {
            throw new EcrPushException($"{shownAs}: a manifest has a blob without a sha256 digest or a size ({SettingsValidator.Show(descriptor.GetRawText())}). The layout is damaged; write it again.");
        }

        var path = Sha256.BlobPath(layout, digest);
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new EcrPushException($"{shownAs} lacks the blob {digest} (no file {path}), which the image needs. The layout is incomplete; write it again. Nothing was pushed.");
        }

        if (file.Length != size)
        {
            throw new EcrPushException($"{shownAs}: the blob {path} is {file.Length} bytes, but its manifest says {size}. The layout is damaged; write it again. Nothing was pushed.");
        }

        return new BlobFile(digest, size, path);
    }

    private static (byte[] Bytes, string Digest) WithMediaType(byte[] bytes, JsonElement json, string mediaType, string digest)
    {
        if (Str(json, "mediaType") is not null)
        {
            return (bytes, digest);
        }

        var rewritten = Serialize(JsonNode.Parse(bytes)!.AsObject(), mediaType);
        return (rewritten, Sha256.Of(rewritten));
    }

    /// <summary>The object with <c>schemaVersion</c> and <c>mediaType</c> first, as registries and tools write them.</summary>
    private static byte[] Serialize(JsonObject node, string mediaType)
    {
        var ordered = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = mediaType };
        foreach (var (key, value) in node.ToList())
        {
            if (key is not "schemaVersion" and not "mediaType")
            {
                node.Remove(key);
                ordered[key] = value;
            }
        }

        return JsonSerializer.SerializeToUtf8Bytes(ordered, SourcesJsonContext.Default.JsonObject);
    }

    private static List<JsonElement> Descriptors(JsonElement json, string property)
        => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().ToList()
            : [];

    private static string? Str(JsonElement json, string property)
        => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Annotation(JsonElement descriptor, string name)
        => descriptor.TryGetProperty("annotations", out var annotations) ? Str(annotations, name) : null;

    private static IEnumerable<string> RefNames(JsonElement descriptor)
    {
        if (Annotation(descriptor, RefNameAnnotation) is { } name)
        {
            yield return name;
        }

        // docker save (25+) and containerd name the image in full: take its tag too.
        if (Annotation(descriptor, "io.containerd.image.name") is { } full)
        {
            yield return full;
            if (full.LastIndexOf(':') is var colon && colon > full.LastIndexOf('/'))
            {
                yield return full[(colon + 1)..];
            }
        }
    }

    private static bool IsAttestation(JsonElement descriptor) => Annotation(descriptor, ReferenceTypeAnnotation) == "attestation-manifest";

    private static string PlatformOf(JsonElement descriptor)
    {
        if (!descriptor.TryGetProperty("platform", out var platform))
        {
            return "unknown/unknown";
        }

        var text = $"{Str(platform, "os")}/{Str(platform, "architecture")}";
        return Str(platform, "variant") is { } variant ? $"{text}/{variant}" : text;
    }

    private static string Listing(List<JsonElement> entries)
        => entries.Count == 0 ? "none" : string.Join(", ", entries.Take(10).Select(e => RefNames(e).FirstOrDefault() is { } name ? $"{name} ({Str(e, "digest")})" : Str(e, "digest")));
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonObject))]
internal sealed partial class SourcesJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
