namespace Ecr;

/// <summary>How a repository the push creates encrypts its images at rest (ECR's <c>encryptionType</c>).</summary>
public enum EncryptionType
{
    /// <summary><c>AES256</c>: Amazon S3-managed keys.</summary>
    Aes256 = 0,

    /// <summary><c>KMS</c>: an AWS KMS key, <see cref="EcrPushSettings.KmsKey"/> or the AWS-managed one.</summary>
    Kms = 1,

    /// <summary><c>KMS_DSSE</c>: dual-layer encryption with an AWS KMS key.</summary>
    KmsDsse = 2,
}
