namespace Ecr.Internal.Sources;

/// <summary>Where the image to push comes from, as the checked settings say it: one of the three kinds below.</summary>
internal abstract record SourceSpec
{
    /// <summary>How many blobs go up at once unless UploadParallelism says otherwise (see docs/performance.md for what was measured).</summary>
    public const int DefaultUploadParallelism = 3;

    /// <summary>Whether the source's own referrers (signatures, SBOMs, attestations) go with the image: a layout's, an archive's, a copied ECR image's.</summary>
    public bool IncludeReferrers { get; init; } = true;
}

/// <summary>An image in the Docker engine: a <c>name:tag</c> or <c>name@digest</c> reference, or an image ID (full or a prefix).</summary>
internal sealed record EngineImageSpec(string Reference, bool IsId) : SourceSpec
{
    public override string ToString() => IsId ? $"image ID {Reference}" : $"image {Reference}";
}

/// <summary>Which kind of file or folder an image comes from when no engine is used.</summary>
internal enum ImageFileKind
{
    /// <summary>An OCI image layout folder (oci-layout, index.json, blobs/).</summary>
    OciLayout,

    /// <summary>A tar (maybe gzip-compressed) of an OCI layout, or a docker-archive: told apart by content when read.</summary>
    Archive,
}

/// <summary>
/// An OCI layout or an image archive: the path, which image of it (a ref name or a digest, else its only one), the
/// platforms of an index to keep, whether attestations go too, and how many blobs upload at once.
/// </summary>
internal sealed record ImageFileSpec(ImageFileKind Kind, string Path, string? Tag, string? Digest) : SourceSpec
{
    public IReadOnlyList<string> Platforms { get; init; } = [];

    public bool IncludeAttestations { get; init; } = true;

    public int UploadParallelism { get; init; } = DefaultUploadParallelism;

    public override string ToString()
    {
        var what = Kind == ImageFileKind.OciLayout ? "the OCI layout" : "the image archive";
        var which = Tag is not null ? $":{Tag}" : Digest is not null ? $"@{Digest}" : string.Empty;
        return $"{what} {Path}{which}";
    }
}

/// <summary>
/// An image already in ECR: its repository, the tag or digest that names it, and where its registry is (unset region
/// and registry: the push's own); how many blobs copy at once when it goes to another registry.
/// </summary>
internal sealed record EcrImageSpec(string RepositoryName, string? Tag, string? Digest, string? Region, string? RegistryId) : SourceSpec
{
    public int UploadParallelism { get; init; } = DefaultUploadParallelism;

    /// <summary>The tag or digest as a registry reference: <c>1.4.2</c> or <c>sha256:…</c>.</summary>
    public string Reference => Digest ?? Tag ?? Names.DefaultTag;

    public override string ToString()
    {
        var where = (Region, RegistryId) switch
        {
            (null, null) => string.Empty,
            (_, null) => $" in {Region}",
            (null, _) => $" in registry {RegistryId}",
            _ => $" in registry {RegistryId} in {Region}",
        };
        return $"the ECR image {RepositoryName}{(Digest is null ? ":" : "@")}{Reference}{where}";
    }
}
