namespace Ecr;

/// <summary>What travels with the image (OCI 1.1 referrers: files attached, the source's signatures and SBOMs) and ECR's managed signing.</summary>
public sealed partial record EcrPushSettings
{
    /// <summary>
    /// Files to attach to the pushed image in every destination, each with its artifact type (an SBOM, an in-toto
    /// statement, any file): pushed after the image as OCI 1.1 artifact manifests whose subject is the image, and listed
    /// in the result's <see cref="EcrPushedImage.Referrers"/>. The same file (by its content and when it was last
    /// written) gives the same artifact on every push, so a push made again adds nothing.
    /// </summary>
    public IReadOnlyList<EcrAttachment> Attachments { get; init; } = [];

    /// <summary>
    /// Push the source's own referrers with the image (signatures, SBOMs and attestations whose subject is it): those in
    /// an OCI layout or archive (as cosign, notation, oras and BuildKit write them), and those of an image copied from
    /// ECR into another repository, region or account (found through the registry's referrers API, else its
    /// <c>sha256-&lt;hex&gt;</c> tag), with the same digests; default on.
    /// </summary>
    public bool IncludeReferrers { get; init; } = true;

    /// <summary>
    /// Wait, after the push, until ECR's managed signing of the image is complete in every destination whose registry
    /// signs this repository's images, up to <see cref="SigningTimeout"/>: a failed signing, or one still in progress at
    /// the timeout, fails the push. Off: the status is reported as it is right after the push (a failure already there
    /// fails the push all the same). No wait where the registry has no signing configuration.
    /// </summary>
    public bool WaitForSigning { get; init; }

    /// <summary>With <see cref="WaitForSigning"/>: how long to wait for the signing, at most 1 hour; unset: 5 minutes.</summary>
    public TimeSpan? SigningTimeout { get; init; }
}
