namespace Ecr;

/// <summary>The image as pushed to one destination (one region and registry).</summary>
public sealed record EcrPushedImage
{
    /// <summary>The AWS region pushed to.</summary>
    public required string Region { get; init; }

    /// <summary>The AWS account ID of the registry.</summary>
    public required string RegistryId { get; init; }

    /// <summary>The repository URI, <c>registry/repository</c>.</summary>
    public required string RepositoryUri { get; init; }

    /// <summary>The manifest digest the registry reported, <c>sha256:…</c>.</summary>
    public required string Digest { get; init; }

    /// <summary>The pushed references, <c>registry/repository:tag</c>, one per target tag in the order of <see cref="EcrPushSettings.TargetTags"/>.</summary>
    public required IReadOnlyList<string> ImageReferences { get; init; }

    /// <summary>Whether this push created the repository.</summary>
    public required bool RepositoryCreated { get; init; }

    /// <summary>For an image index pushed from a layout or archive: each platform's manifest digest, in the index's order; empty otherwise.</summary>
    public IReadOnlyList<EcrPushedPlatform> Platforms { get; init; } = [];

    /// <summary>
    /// The image's referrers in this destination that the push wrote or found there already: the files it attached
    /// (<see cref="EcrPushSettings.Attachments"/>) and the source's own (signatures, SBOMs, attestations of a layout, an
    /// archive or a copied ECR image; <see cref="EcrPushSettings.IncludeReferrers"/>); empty when there are none.
    /// </summary>
    public IReadOnlyList<EcrPushedReferrer> Referrers { get; init; } = [];

    /// <summary>
    /// ECR's managed signing of the image in this destination, one status per signing profile (see
    /// <see cref="EcrPushSettings.WaitForSigning"/>); empty when the registry signs none of this repository's images.
    /// </summary>
    public IReadOnlyList<EcrImageSigningStatus> Signing { get; init; } = [];

    /// <summary>The first reference: the first target tag's.</summary>
    public string ImageReference => ImageReferences[0];

    /// <summary>The digest reference, <c>registry/repository@sha256:…</c>.</summary>
    public string DigestReference => $"{RepositoryUri}@{Digest}";

    /// <summary>Returns <see cref="ImageReference"/>.</summary>
    public override string ToString() => ImageReference;
}
