namespace Ecr;

/// <summary>How the source image is named, as in the AWS Toolkit task's "Image Identity" input.</summary>
public enum ImageIdentity
{
    /// <summary>By <see cref="EcrPushSettings.SourceImageName"/> and <see cref="EcrPushSettings.SourceImageTag"/>.</summary>
    ImageName = 0,

    /// <summary>By <see cref="EcrPushSettings.SourceImageId"/>: a full ID or a prefix the engine resolves uniquely.</summary>
    ImageId = 1,
}
