namespace Ecr.Internal.Sources;

/// <summary>Which kind of file or folder an image comes from when no engine is used.</summary>
internal enum ArtifactKind
{
    /// <summary>An OCI image layout folder (oci-layout, index.json, blobs/).</summary>
    OciLayout,

    /// <summary>A tar (maybe gzip-compressed) of an OCI layout, or a docker-archive: told apart by content when read.</summary>
    Archive,
}

/// <summary>
/// A checked source beside the engine: the path, which image of it (a ref name or a digest, else its only one),
/// the platforms of an index to keep, whether attestations go too, and how many blobs upload at once.
/// </summary>
internal sealed record ArtifactSource(ArtifactKind Kind, string Path, string? Tag, string? Digest)
{
    public const int DefaultUploadParallelism = 3;

    public IReadOnlyList<string> Platforms { get; init; } = [];

    public bool IncludeAttestations { get; init; } = true;

    public int UploadParallelism { get; init; } = DefaultUploadParallelism;

    public override string ToString()
    {
        var what = Kind == ArtifactKind.OciLayout ? "the OCI layout" : "the image archive";
        var which = Tag is not null ? $":{Tag}" : Digest is not null ? $"@{Digest}" : string.Empty;
        return $"{what} {Path}{which}";
    }
}
