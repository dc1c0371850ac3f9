namespace Ecr.Internal.Images;

/// <summary>A repository of a registry: where a blob already is, so that a push into another repository of that registry may mount it.</summary>
internal sealed record BlobLocation(string RegistryHost, string Repository)
{
    public override string ToString() => $"{RegistryHost}/{Repository}";
}

/// <summary>
/// Where the bytes of an image's blobs are (a layout folder, an unpacked archive, a registry's repository), apart from
/// what the image is. The writer opens each blob by its descriptor and checks its size and digest as the bytes pass;
/// the source only says, in its own words, what a wrong size or digest means for it.
/// </summary>
internal interface IBlobSource
{
    /// <summary>The repository that holds every blob of the image, when the source is a registry; null otherwise.</summary>
    BlobLocation? Location { get; }

    Task<Stream> OpenAsync(Descriptor blob, CancellationToken cancellationToken);

    /// <summary>The message for a blob whose bytes are not its size: <paramref name="read"/> bytes came.</summary>
    string WrongSize(Descriptor blob, long read);

    /// <summary>The message for a blob whose bytes hash to <paramref name="actual"/>.</summary>
    string WrongDigest(Descriptor blob, string actual);
}

/// <summary>
/// An image ready to push: its root (a manifest or an index and its manifests), where its blobs are, and what to
/// delete once every destination is done (an archive's scratch folder); and its referrers, each a small graph of its
/// own, pushed after it.
/// </summary>
internal sealed class ImageGraph(ImageManifest root, IBlobSource blobs, string? scratchDirectory = null) : IDisposable
{
    public ImageManifest Root { get; } = root;

    public IBlobSource Blobs { get; } = blobs;

    /// <summary>
    /// The manifests whose subject is the root or one of its manifests (signatures, SBOMs, attestations), or another of
    /// these, each with its blobs, a subject before the referrers of it; empty when the source has none or they are
    /// not copied (IncludeReferrers off).
    /// </summary>
    public IReadOnlyList<ImageGraph> Referrers { get; init; } = [];

    public void Dispose() => DeleteScratch(scratchDirectory);

    /// <summary>Deletes a scratch folder of unpacked files, if any; what cannot be deleted now is left to the OS's temp cleanup.</summary>
    public static void DeleteScratch(string? scratchDirectory)
    {
        if (scratchDirectory is null)
        {
            return;
        }

        try
        {
            Directory.Delete(scratchDirectory, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A file still open elsewhere: the temp folder is the OS's to clean then.
        }
    }
}
