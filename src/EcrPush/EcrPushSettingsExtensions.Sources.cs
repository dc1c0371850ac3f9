using System.Diagnostics.Contracts;

namespace Ecr;

/// <summary>The fluent methods of the sources beside the engine (OCI layout, image archive, platforms).</summary>
public static partial class EcrPushSettingsExtensions
{
    /// <summary>Sets the OCI image layout to push (<see cref="EcrPushSettings.SourceOciLayout"/>).</summary>
    [Pure]
    public static EcrPushSettings SetSourceOciLayout(this EcrPushSettings settings, string? sourceOciLayout)
        => Checked(settings) with { SourceOciLayout = sourceOciLayout };

    /// <summary>Resets the OCI image layout (<see cref="EcrPushSettings.SourceOciLayout"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetSourceOciLayout(this EcrPushSettings settings)
        => Checked(settings) with { SourceOciLayout = null };

    /// <summary>Sets the image archive to push (<see cref="EcrPushSettings.SourceImageArchive"/>).</summary>
    [Pure]
    public static EcrPushSettings SetSourceImageArchive(this EcrPushSettings settings, string? sourceImageArchive)
        => Checked(settings) with { SourceImageArchive = sourceImageArchive };

    /// <summary>Resets the image archive (<see cref="EcrPushSettings.SourceImageArchive"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetSourceImageArchive(this EcrPushSettings settings)
        => Checked(settings) with { SourceImageArchive = null };

    /// <summary>Sets the platforms of an index to push, replacing any set before (<see cref="EcrPushSettings.Platforms"/>).</summary>
    [Pure]
    public static EcrPushSettings SetPlatforms(this EcrPushSettings settings, params string[] platforms)
        => Checked(settings) with { Platforms = [.. Checked(platforms)] };

    /// <summary>Resets the platforms to all of the index's (<see cref="EcrPushSettings.Platforms"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetPlatforms(this EcrPushSettings settings)
        => Checked(settings) with { Platforms = [] };

    /// <summary>Pushes an index's attestation manifests (the default).</summary>
    [Pure]
    public static EcrPushSettings EnableIncludeAttestations(this EcrPushSettings settings)
        => Checked(settings) with { IncludeAttestations = true };

    /// <summary>Leaves an index's attestation manifests out.</summary>
    [Pure]
    public static EcrPushSettings DisableIncludeAttestations(this EcrPushSettings settings)
        => Checked(settings) with { IncludeAttestations = false };

    /// <summary>Sets how many blobs upload at once (<see cref="EcrPushSettings.UploadParallelism"/>).</summary>
    [Pure]
    public static EcrPushSettings SetUploadParallelism(this EcrPushSettings settings, int? uploadParallelism)
        => Checked(settings) with { UploadParallelism = uploadParallelism };

    /// <summary>Resets how many blobs upload at once to the default (<see cref="EcrPushSettings.UploadParallelism"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetUploadParallelism(this EcrPushSettings settings)
        => Checked(settings) with { UploadParallelism = null };
}
