using System.Diagnostics.Contracts;

namespace Ecr;

/// <summary>The fluent methods of an image already in ECR as the source (promote, retag, copy).</summary>
public static partial class EcrPushSettingsExtensions
{
    /// <summary>Sets the ECR repository that holds the source image (<see cref="EcrPushSettings.SourceRepositoryName"/>).</summary>
    [Pure]
    public static EcrPushSettings SetSourceRepositoryName(this EcrPushSettings settings, string? sourceRepositoryName)
        => Checked(settings) with { SourceRepositoryName = sourceRepositoryName };

    /// <summary>Resets the ECR repository of the source image (<see cref="EcrPushSettings.SourceRepositoryName"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetSourceRepositoryName(this EcrPushSettings settings)
        => Checked(settings) with { SourceRepositoryName = null };

    /// <summary>Sets the digest of the source image in ECR (<see cref="EcrPushSettings.SourceImageDigest"/>).</summary>
    [Pure]
    public static EcrPushSettings SetSourceImageDigest(this EcrPushSettings settings, string? sourceImageDigest)
        => Checked(settings) with { SourceImageDigest = sourceImageDigest };

    /// <summary>Resets the digest of the source image in ECR (<see cref="EcrPushSettings.SourceImageDigest"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetSourceImageDigest(this EcrPushSettings settings)
        => Checked(settings) with { SourceImageDigest = null };

    /// <summary>Sets the region of the source repository (<see cref="EcrPushSettings.SourceRegion"/>).</summary>
    [Pure]
    public static EcrPushSettings SetSourceRegion(this EcrPushSettings settings, string? sourceRegion)
        => Checked(settings) with { SourceRegion = sourceRegion };

    /// <summary>Resets the region of the source repository to <see cref="EcrPushSettings.Region"/> (<see cref="EcrPushSettings.SourceRegion"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetSourceRegion(this EcrPushSettings settings)
        => Checked(settings) with { SourceRegion = null };

    /// <summary>Sets the account of the source repository's registry (<see cref="EcrPushSettings.SourceRegistryId"/>).</summary>
    [Pure]
    public static EcrPushSettings SetSourceRegistryId(this EcrPushSettings settings, string? sourceRegistryId)
        => Checked(settings) with { SourceRegistryId = sourceRegistryId };

    /// <summary>Resets the account of the source repository's registry to <see cref="EcrPushSettings.RegistryId"/> (<see cref="EcrPushSettings.SourceRegistryId"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetSourceRegistryId(this EcrPushSettings settings)
        => Checked(settings) with { SourceRegistryId = null };
}
