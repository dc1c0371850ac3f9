namespace Ecr.Internal.Images;

/// <summary>Media types the push reads and writes.</summary>
internal static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>The config of an artifact manifest that has none of its own (OCI image spec 1.1, "Guidance for an Empty Descriptor"): the two bytes <c>{}</c>.</summary>
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";

    /// <summary>Every manifest and index type, for a registry's or ECR's Accept list.</summary>
    public static readonly IReadOnlyList<string> All = [OciIndex, DockerManifestList, OciManifest, DockerManifest];

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;

    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;
}

/// <summary>A blob as a manifest names it. A foreign layer (Windows base images) lives at its URLs, not in a registry, so it is never copied.</summary>
internal sealed record Descriptor(string MediaType, string Digest, long Size)
{
    public bool IsForeign => MediaType.Contains(".foreign.", StringComparison.Ordinal);
}

/// <summary>
/// One node of an image graph: a manifest (its config and layers) or an index (the manifests it names, each with its
/// platform). <see cref="Bytes"/> are exactly what goes up, and their digest is the node's identity in a registry.
/// </summary>
internal sealed record ImageManifest(string MediaType, byte[] Bytes, string Digest, Descriptor? Config, IReadOnlyList<Descriptor> Layers, IReadOnlyList<ImageManifest> Children)
{
    /// <summary>An index entry's platform, <c>os/architecture[/variant]</c>; <c>unknown/unknown</c> for an attestation; null for the root.</summary>
    public string? Platform { get; init; }

    /// <summary>
    /// The manifest this one is about (OCI 1.1 <c>subject</c>): a signature's, an SBOM's or an attestation's image, which
    /// makes this manifest one of its referrers; null for an image.
    /// </summary>
    public Descriptor? Subject { get; init; }

    /// <summary>What kind of artifact this manifest is (OCI 1.1 <c>artifactType</c>); null when it does not say.</summary>
    public string? ArtifactType { get; init; }

    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    /// <summary>The config digest of a single image (the engine's image ID); null for an index.</summary>
    public string? ConfigDigest => Config?.Digest;

    /// <summary>
    /// What says "this image" to ECR: the config digest of a single image (equal for the same image however its layers
    /// were compressed), the index's own digest for an index.
    /// </summary>
    public string Identity => ConfigDigest ?? Digest;

    /// <summary>Every blob of this node and the nodes under it that a registry holds, each once.</summary>
    public IEnumerable<Descriptor> AllBlobs
        => (Config is null ? Layers : Layers.Prepend(Config)).Where(blob => !blob.IsForeign)
            .Concat(Children.SelectMany(child => child.AllBlobs))
            .DistinctBy(blob => blob.Digest, StringComparer.Ordinal);

    /// <summary>The nodes under this one, deepest first: the order a registry takes them in (it refuses an index whose manifests it lacks).</summary>
    public IEnumerable<ImageManifest> Descendants => Children.SelectMany(child => child.Descendants.Append(child));

    /// <summary>The platforms of an index, in its order, with their manifest digests; empty for a single image.</summary>
    public IReadOnlyList<EcrPushedPlatform> Platforms => [.. Children.Select(child => new EcrPushedPlatform(child.Platform ?? Images.Platform.Unknown, child.Digest))];
}
