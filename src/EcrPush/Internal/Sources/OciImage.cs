namespace Ecr.Internal.Sources;

/// <summary>Media types the push reads and writes.</summary>
internal static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;

    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;
}

/// <summary>A blob the push uploads: its digest, its size, and the file that holds it.</summary>
internal sealed record BlobFile(string Digest, long Size, string Path);

/// <summary>
/// One manifest or index as it goes up: the exact bytes (their digest is the image's digest), the blobs it needs, and
/// for an index its children, which go up before it. <see cref="Platform"/> is the index entry's (os/arch[/variant]),
/// <c>unknown/unknown</c> for an attestation.
/// </summary>
internal sealed record OciManifest(string MediaType, byte[] Bytes, string Digest, string? ConfigDigest, IReadOnlyList<BlobFile> Blobs, IReadOnlyList<OciManifest> Children)
{
    public string? Platform { get; init; }

    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    /// <summary>Every blob of this manifest and its children, each once.</summary>
    public IEnumerable<BlobFile> AllBlobs => Blobs.Concat(Children.SelectMany(c => c.AllBlobs)).DistinctBy(b => b.Digest, StringComparer.Ordinal);
}

/// <summary>An image read from a layout or archive, ready to push; deletes what it unpacked when disposed.</summary>
internal sealed class OciImage(OciManifest root, string? scratchDirectory) : IDisposable
{
    public OciManifest Root { get; } = root;

    public void Dispose() => DeleteScratch(scratchDirectory);

    /// <summary>Deletes a scratch folder of unpacked files, if any; what cannot be deleted now is left to the OS's temp cleanup.</summary>
    public static void DeleteScratch(string? scratchDirectory)
    {
        if (scratchDirectory is not null)
        {
            try
            {
                Directory.Delete(scratchDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open elsewhere: the temp folder is the OS's to clean then.
            }
            catch (UnauthorizedAccessException)
            {
                // As above.
            }
        }
    }
}
