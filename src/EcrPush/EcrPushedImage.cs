namespace Ecr;

/// <summary>The image as pushed to one destination (one region and registry).</summary>
public sealed record EcrPushedImage
{
    /// <summary>The AWS region pushed to; us-east-1 for ECR Public, which is served there.</summary>
    public required string Region { get; init; }

    /// <summary>The AWS account ID of the registry.</summary>
    public required string RegistryId { get; init; }

    /// <summary>The repository URI, <c>registry/repository</c>: in ECR Public <c>public.ecr.aws/alias/repository</c>; with dual-stack, the registry's dual-stack host.</summary>
    public required string RepositoryUri { get; init; }

    /// <summary>The manifest digest the registry reported, <c>sha256:…</c>.</summary>
    public required string Digest { get; init; }

    /// <summary>The pushed references, <c>registry/repository:tag</c>, one per target tag in the order of <see cref="EcrPushSettings.TargetTags"/>.</summary>
    public required IReadOnlyList<string> ImageReferences { get; init; }

    /// <summary>Whether this push created the repository: itself (<see cref="EcrPushSettings.AutoCreateRepository"/>), or ECR on the push from a creation template (<see cref="RepositoryTemplate"/>).</summary>
    public required bool RepositoryCreated { get; init; }

    /// <summary>
    /// The prefix of the repository creation template (with <c>CREATE_ON_PUSH</c>) that ECR created the missing repository
    /// from when this push arrived, with the template's settings; null when the repository existed or the push created it.
    /// </summary>
    public string? RepositoryTemplate { get; init; }

    /// <summary>Whether the repository held this digest in ECR's archive storage class, and this push restored it (ECR restores an archived image that is pushed again).</summary>
    public bool RestoredFromArchive { get; init; }

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
