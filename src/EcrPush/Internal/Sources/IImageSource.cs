using Ecr.Internal.Destinations;
using Ecr.Internal.Registry;

namespace Ecr.Internal.Sources;

/// <summary>
/// Where the pushed image comes from, and only that: what the image is (found or read once, before any destination's
/// repository is created), and how it is written into one destination. Everything that holds for every source (the
/// repository, the immutable-tag rule, what an error says landed, the result) is the destination step's.
/// </summary>
internal interface IImageSource : IAsyncDisposable
{
    /// <summary>How the log and the errors name the source: <c>image web:1.4.2</c>, <c>the OCI layout out/oci:1</c>, …</summary>
    string Name { get; }

    /// <summary>Finds or reads the image; an error names what is missing or damaged.</summary>
    Task<FoundImage> FindAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes the image into one destination under <paramref name="tags"/> (those it does not hold already). A failure after
    /// the write began is a <see cref="WriteFailedException"/> that says which tags landed.
    /// </summary>
    Task<WriteResult> WriteAsync(DestinationContext destination, IReadOnlyList<string> tags, CancellationToken cancellationToken);

    /// <summary>
    /// The image as written into <paramref name="destination"/>, with the source's referrers (IncludeReferrers), for the
    /// destination step to push them after it; null when the source has no graph to give: an engine image, or a
    /// promotion within the image's own repository, where its referrers are already.
    /// </summary>
    Task<Images.ImageGraph?> GraphAsync(DestinationContext destination, CancellationToken cancellationToken);

    /// <summary>
    /// Every destination ends here, whether it holds the image now (<paramref name="digest"/>, with the destination as it
    /// was opened) or failed (<paramref name="failure"/>, maybe before it was open): an engine image is copied into the
    /// other destinations from the first, once that one holds it.
    /// </summary>
    void Settled(int index, DestinationContext? destination, string? digest, Exception? failure);
}

/// <summary>
/// The image a source found: <see cref="Identity"/> is what says "this image" to ECR (the config digest of a single
/// image, which the engine shows as its ID; an index's own digest), and an index's platforms for the result.
/// </summary>
internal sealed record FoundImage(string Identity, IReadOnlyList<EcrPushedPlatform> Platforms);
