namespace Ecr;

/// <summary>The sources beside the Docker engine: an OCI image layout, an OCI archive or a docker-archive, pushed without an engine.</summary>
public sealed partial record EcrPushSettings
{
    /// <summary>
    /// An OCI image layout folder to push instead of an engine image (as <c>skopeo copy … oci:DIR:TAG</c> or buildah write
    /// one), optionally with the image to take: <c>DIR:TAG</c> (the <c>org.opencontainers.image.ref.name</c> annotation) or
    /// <c>DIR@sha256:…</c>; a bare folder takes its only image. No Docker engine is used.
    /// </summary>
    public string? SourceOciLayout { get; init; }

    /// <summary>
    /// An image archive to push instead of an engine image: an OCI archive (a tar of a layout) or a docker-archive
    /// (<c>docker save</c>, the .NET SDK's <c>ContainerArchiveOutputPath</c>), <c>.tar</c> or gzip-compressed; which one is
    /// told by its content. Optionally <c>FILE:TAG</c> to pick an image of an archive that holds several. No Docker engine is used.
    /// </summary>
    public string? SourceImageArchive { get; init; }

    /// <summary>For an image index: the platforms to push, e.g. <c>linux/amd64</c>, <c>linux/arm64/v8</c>; empty means all of them.</summary>
    public IReadOnlyList<string> Platforms { get; init; } = [];

    /// <summary>For an image index: push its attestation manifests (BuildKit's <c>unknown/unknown</c> entries) as they are; default on.</summary>
    public bool IncludeAttestations { get; init; } = true;

    /// <summary>For a layout or archive: how many blobs upload at once; unset: 3 (see the README for what was measured).</summary>
    public int? UploadParallelism { get; init; }
}
