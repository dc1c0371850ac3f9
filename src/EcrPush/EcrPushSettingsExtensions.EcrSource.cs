using System.Diagnostics.Contracts;

namespace Ecr;

/// <summary>The fluent methods of an image already in ECR as the source (promote, retag, copy).</summary>
public static partial class EcrPushSettingsExtensions
{
    /// <inheritdoc cref="EcrPushSettings.SourceRepositoryName"/>
    [Pure]
    public static EcrPushSettings SetSourceRepositoryName(this EcrPushSettings settings, string? sourceRepositoryName)
        => Checked(settings) with { SourceRepositoryName = sourceRepositoryName };

    /// <inheritdoc cref="EcrPushSettings.SourceRepositoryName"/>
    [Pure]
    public static EcrPushSettings ResetSourceRepositoryName(this EcrPushSettings settings)
        => Checked(settings) with { SourceRepositoryName = null };

    /// <inheritdoc cref="EcrPushSettings.SourceImageDigest"/>
    [Pure]
    public static EcrPushSettings SetSourceImageDigest(this EcrPushSettings settings, string? sourceImageDigest)
        => Checked(settings) with { SourceImageDigest = sourceImageDigest };

    /// <inheritdoc cref="EcrPushSettings.SourceImageDigest"/>
    [Pure]
    public static EcrPushSettings ResetSourceImageDigest(this EcrPushSettings settings)
        => Checked(settings) with { SourceImageDigest = null };

    /// <inheritdoc cref="EcrPushSettings.SourceRegion"/>
    [Pure]
    public static EcrPushSettings SetSourceRegion(this EcrPushSettings settings, string? sourceRegion)
        => Checked(settings) with { SourceRegion = sourceRegion };

    /// <inheritdoc cref="EcrPushSettings.SourceRegion"/>
    [Pure]
    public static EcrPushSettings ResetSourceRegion(this EcrPushSettings settings)
        => Checked(settings) with { SourceRegion = null };

    /// <inheritdoc cref="EcrPushSettings.SourceRegistryId"/>
    [Pure]
    public static EcrPushSettings SetSourceRegistryId(this EcrPushSettings settings, string? sourceRegistryId)
        => Checked(settings) with { SourceRegistryId = sourceRegistryId };

    /// <inheritdoc cref="EcrPushSettings.SourceRegistryId"/>
    [Pure]
    public static EcrPushSettings ResetSourceRegistryId(this EcrPushSettings settings)
        => Checked(settings) with { SourceRegistryId = null };
}
