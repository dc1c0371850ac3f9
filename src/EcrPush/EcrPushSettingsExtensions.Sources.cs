using System.Diagnostics.Contracts;

namespace Ecr;

/// <summary>The fluent methods of the sources beside the engine (OCI layout, image archive, platforms).</summary>
public static partial class EcrPushSettingsExtensions
{
    /// <inheritdoc cref="EcrPushSettings.SourceOciLayout"/>
    [Pure]
    public static EcrPushSettings SetSourceOciLayout(this EcrPushSettings settings, string? sourceOciLayout)
        => Checked(settings) with { SourceOciLayout = sourceOciLayout };

    /// <inheritdoc cref="EcrPushSettings.SourceOciLayout"/>
    [Pure]
    public static EcrPushSettings ResetSourceOciLayout(this EcrPushSettings settings)
        => Checked(settings) with { SourceOciLayout = null };

    /// <inheritdoc cref="EcrPushSettings.SourceImageArchive"/>
    [Pure]
    public static EcrPushSettings SetSourceImageArchive(this EcrPushSettings settings, string? sourceImageArchive)
        => Checked(settings) with { SourceImageArchive = sourceImageArchive };

    /// <inheritdoc cref="EcrPushSettings.SourceImageArchive"/>
    [Pure]
    public static EcrPushSettings ResetSourceImageArchive(this EcrPushSettings settings)
        => Checked(settings) with { SourceImageArchive = null };

    /// <inheritdoc cref="EcrPushSettings.Platforms"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetPlatforms(this EcrPushSettings settings, params string[] platforms)
        => SetPlatforms(settings, (IEnumerable<string>)platforms);

    /// <inheritdoc cref="EcrPushSettings.Platforms"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetPlatforms(this EcrPushSettings settings, IEnumerable<string> platforms)
        => Checked(settings) with { Platforms = [.. Checked(platforms)] };

    /// <inheritdoc cref="EcrPushSettings.Platforms"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddPlatforms(this EcrPushSettings settings, params string[] platforms)
        => AddPlatforms(settings, (IEnumerable<string>)platforms);

    /// <inheritdoc cref="EcrPushSettings.Platforms"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddPlatforms(this EcrPushSettings settings, IEnumerable<string> platforms)
        => Checked(settings) with { Platforms = [.. settings.Platforms, .. Checked(platforms)] };

    /// <inheritdoc cref="EcrPushSettings.Platforms"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemovePlatforms(this EcrPushSettings settings, params string[] platforms)
        => RemovePlatforms(settings, (IEnumerable<string>)platforms);

    /// <inheritdoc cref="EcrPushSettings.Platforms"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemovePlatforms(this EcrPushSettings settings, IEnumerable<string> platforms)
        => Checked(settings) with { Platforms = Without(settings.Platforms, Checked(platforms)) };

    /// <inheritdoc cref="EcrPushSettings.Platforms"/>
    [Pure]
    public static EcrPushSettings ClearPlatforms(this EcrPushSettings settings)
        => Checked(settings) with { Platforms = [] };

    /// <inheritdoc cref="EcrPushSettings.Platforms"/>
    /// <remarks>The same as <see cref="ClearPlatforms"/>: the default is none.</remarks>
    [Pure]
    public static EcrPushSettings ResetPlatforms(this EcrPushSettings settings)
        => ClearPlatforms(settings);

    /// <inheritdoc cref="EcrPushSettings.IncludeAttestations"/>
    [Pure]
    public static EcrPushSettings SetIncludeAttestations(this EcrPushSettings settings, bool includeAttestations)
        => Checked(settings) with { IncludeAttestations = includeAttestations };

    /// <inheritdoc cref="EcrPushSettings.IncludeAttestations"/>
    [Pure]
    public static EcrPushSettings ResetIncludeAttestations(this EcrPushSettings settings)
        => Checked(settings) with { IncludeAttestations = true };

    /// <inheritdoc cref="EcrPushSettings.IncludeAttestations"/>
    [Pure]
    public static EcrPushSettings EnableIncludeAttestations(this EcrPushSettings settings)
        => Checked(settings) with { IncludeAttestations = true };

    /// <inheritdoc cref="EcrPushSettings.IncludeAttestations"/>
    [Pure]
    public static EcrPushSettings DisableIncludeAttestations(this EcrPushSettings settings)
        => Checked(settings) with { IncludeAttestations = false };

    /// <inheritdoc cref="EcrPushSettings.IncludeAttestations"/>
    [Pure]
    public static EcrPushSettings ToggleIncludeAttestations(this EcrPushSettings settings)
        => Checked(settings) with { IncludeAttestations = !settings.IncludeAttestations };

    /// <inheritdoc cref="EcrPushSettings.UploadParallelism"/>
    [Pure]
    public static EcrPushSettings SetUploadParallelism(this EcrPushSettings settings, int? uploadParallelism)
        => Checked(settings) with { UploadParallelism = uploadParallelism };

    /// <inheritdoc cref="EcrPushSettings.UploadParallelism"/>
    [Pure]
    public static EcrPushSettings ResetUploadParallelism(this EcrPushSettings settings)
        => Checked(settings) with { UploadParallelism = null };
}
