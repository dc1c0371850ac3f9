using System.Text.Json;
using Ecr.Internal.Images;
using Ecr.Internal.Registry;

namespace Ecr.Internal.Sources;

/// <summary>
/// Reads an image out of a registry's repository as it stands, for a copy into another: the manifest or index by its
/// digest, an index's manifests, and the blobs each names, every manifest checked against its digest; and, when asked,
/// its referrers (RegistryImageReader.Referrers.cs). Nothing is changed, so the copy has the same digests. Its blobs are
/// read from the same repository as they are copied.
/// </summary>
internal static partial class RegistryImageReader
{
    private const int MaxDepth = 2;

    public static async Task<ImageGraph> ReadAsync(RegistryClient registry, string repository, string digest, bool includeReferrers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var root = await ReadAsync(registry, repository, digest, platform: null, depth: 0, cancellationToken).ConfigureAwait(false);
        var blobs = new RegistryBlobs(registry, repository);
        return new ImageGraph(root, blobs)
        {
            Referrers = includeReferrers ? await ReadReferrersAsync(registry, repository, root, blobs, cancellationToken).ConfigureAwait(false) : [],
        };
    }

    private static async Task<ImageManifest> ReadAsync(RegistryClient registry, string repository, string digest, string? platform, int depth, CancellationToken cancellationToken)
    {
        var where = $"{registry.RegistryHost}/{repository}";
        var manifest = await registry.GetManifestAsync(repository, digest, cancellationToken).ConfigureAwait(false)
            ?? throw new EcrPushException($"The registry {registry.RegistryHost} has no manifest {digest} in {repository}{(depth > 0 ? ", which its index names" : string.Empty)}. Check that the image was not deleted meanwhile, and push again.");
        try
        {
            using var document = JsonDocument.Parse(manifest.Bytes);
            var json = document.RootElement;
            if (MediaTypes.IsIndex(manifest.MediaType))
            {
                if (depth == MaxDepth)
                {
                    throw new EcrPushException($"The index {digest} in {where} nests indexes deeper than {MaxDepth} levels, which a copy does not follow. Copy one of its images by its digest (SourceImageDigest), or the whole of it with a tool that follows any depth (skopeo copy --all).");
                }

                var children = new List<ImageManifest>();
                foreach (var entry in ManifestJson.Array(json, "manifests"))
                {
                    var childDigest = ManifestJson.String(entry, "digest") ?? throw new KeyNotFoundException("an index entry has no digest");
                    children.Add(await ReadAsync(registry, repository, childDigest, Platform.Of(entry), depth + 1, cancellationToken).ConfigureAwait(false));
                }

                return new ImageManifest(manifest.MediaType, manifest.Bytes, manifest.Digest, Config: null, [], children) { Platform = platform, Subject = ManifestJson.SubjectOf(json), ArtifactType = ManifestJson.String(json, "artifactType") };
            }

            var config = ManifestJson.Descriptor(json.GetProperty("config")) ?? throw new KeyNotFoundException("the config has no sha256 digest or no size");
            var layers = ManifestJson.Array(json, "layers").Select(layer => ManifestJson.Descriptor(layer) ?? throw new KeyNotFoundException("a layer has no sha256 digest or no size")).ToList();
            return new ImageManifest(manifest.MediaType, manifest.Bytes, manifest.Digest, config, layers, []) { Platform = platform, Subject = ManifestJson.SubjectOf(json), ArtifactType = ManifestJson.String(json, "artifactType") };
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new EcrPushException($"The manifest {digest} in {where} ({manifest.MediaType}) is not one a copy can read: {Messages.Sentence(exception.Message)} Look at it (aws ecr batch-get-image, or crane manifest) and push it again from its build.", exception);
        }
    }

    /// <summary>The blobs of a registry's repository, streamed from its GET; the repository is where a mount in the same registry takes them from.</summary>
    private sealed class RegistryBlobs(RegistryClient registry, string repository) : IBlobSource
    {
        public BlobLocation? Location { get; } = new(registry.RegistryHost, repository);

        public Task<Stream> OpenAsync(Descriptor blob, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(blob);
            return registry.OpenBlobAsync(repository, blob.Digest, cancellationToken);
        }

        public string WrongSize(Descriptor blob, long read)
            => $"The blob {blob.Digest} from {Location} is not {blob.Size} bytes as its manifest says ({(read > blob.Size ? "more" : $"only {read}")}).";

        public string WrongDigest(Descriptor blob, string actual)
            => $"The blob {blob.Digest} from {Location} arrived with the digest {actual}: it was damaged on the way, or the source registry holds it damaged.";
    }
}
