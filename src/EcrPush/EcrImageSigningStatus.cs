namespace Ecr;

/// <summary>Where ECR's managed signing of an image stands, as <c>DescribeImageSigningStatus</c> says.</summary>
public enum EcrSigningStatus
{
    /// <summary><c>IN_PROGRESS</c>: AWS Signer has not finished the signature yet.</summary>
    InProgress,

    /// <summary><c>COMPLETE</c>: the signature is made, and listed among the image's referrers.</summary>
    Complete,

    /// <summary><c>FAILED</c>: no signature; <see cref="EcrImageSigningStatus.FailureCode"/> and <see cref="EcrImageSigningStatus.FailureReason"/> say why.</summary>
    Failed,
}

/// <summary>
/// ECR's managed signing of the pushed image in one destination, for one signing profile: a registry whose signing
/// configuration has a rule for the repository signs each pushed image with AWS Signer.
/// </summary>
/// <param name="SigningProfileArn">The AWS Signer signing profile that signs it.</param>
/// <param name="Status">Where the signing stands.</param>
/// <param name="FailureCode">ECR's failure code, when <paramref name="Status"/> is <see cref="EcrSigningStatus.Failed"/>.</param>
/// <param name="FailureReason">ECR's reason, when <paramref name="Status"/> is <see cref="EcrSigningStatus.Failed"/>.</param>
public sealed record EcrImageSigningStatus(string SigningProfileArn, EcrSigningStatus Status, string? FailureCode = null, string? FailureReason = null);
