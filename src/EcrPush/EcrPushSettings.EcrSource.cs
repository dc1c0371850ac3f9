namespace Ecr;

/// <summary>An image already in ECR as the source: a promotion (a new tag) or a copy to another repository, region or account, without pulling it.</summary>
public sealed partial record EcrPushSettings
{
    /// <summary>
    /// The ECR repository that holds the image to push, e.g. <c>team/web</c>: the source is then that image in ECR, not an
    /// engine image, layout or archive. Its tag is <see cref="SourceImageTag"/> (unset: <c>latest</c>), or
    /// <see cref="SourceImageDigest"/> names it. Into the same repository of the same registry the image gets the new tags
    /// with <c>BatchGetImage</c> and <c>PutImage</c> of its exact manifest; into another repository, region or account its
    /// blobs and manifests are copied registry to registry. Its digest never changes. No Docker engine is used.
    /// </summary>
    public string? SourceRepositoryName { get; init; }

    /// <summary>With <see cref="SourceRepositoryName"/>: the source image by its digest, <c>sha256:</c> and 64 lowercase hex digits, instead of a tag.</summary>
    public string? SourceImageDigest { get; init; }

    /// <summary>With <see cref="SourceRepositoryName"/>: the source repository's region; unset: <see cref="Region"/>.</summary>
    public string? SourceRegion { get; init; }

    /// <summary>With <see cref="SourceRepositoryName"/>: the AWS account ID of the source repository's registry; unset: <see cref="RegistryId"/>.</summary>
    public string? SourceRegistryId { get; init; }
}
