using System.Diagnostics.Contracts;

namespace Ecr;

/// <summary>The fluent methods of referrers (attached files, the source's referrers) and ECR's managed signing.</summary>
public static partial class EcrPushSettingsExtensions
{
    /// <inheritdoc cref="EcrPushSettings.Attachments"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetAttachments(this EcrPushSettings settings, params EcrAttachment[] attachments)
        => SetAttachments(settings, (IEnumerable<EcrAttachment>)attachments);

    /// <inheritdoc cref="EcrPushSettings.Attachments"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetAttachments(this EcrPushSettings settings, IEnumerable<EcrAttachment> attachments)
        => Checked(settings) with { Attachments = [.. Checked(attachments)] };

    /// <inheritdoc cref="EcrPushSettings.Attachments"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddAttachments(this EcrPushSettings settings, params EcrAttachment[] attachments)
        => AddAttachments(settings, (IEnumerable<EcrAttachment>)attachments);

    /// <inheritdoc cref="EcrPushSettings.Attachments"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddAttachments(this EcrPushSettings settings, IEnumerable<EcrAttachment> attachments)
        => Checked(settings) with { Attachments = [.. settings.Attachments, .. Checked(attachments)] };

    /// <inheritdoc cref="EcrPushSettings.Attachments"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemoveAttachments(this EcrPushSettings settings, params EcrAttachment[] attachments)
        => RemoveAttachments(settings, (IEnumerable<EcrAttachment>)attachments);

    /// <inheritdoc cref="EcrPushSettings.Attachments"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemoveAttachments(this EcrPushSettings settings, IEnumerable<EcrAttachment> attachments)
        => Checked(settings) with { Attachments = Without(settings.Attachments, Checked(attachments)) };

    /// <inheritdoc cref="EcrPushSettings.Attachments"/>
    [Pure]
    public static EcrPushSettings ClearAttachments(this EcrPushSettings settings)
        => Checked(settings) with { Attachments = [] };

    /// <inheritdoc cref="EcrPushSettings.Attachments"/>
    /// <remarks>The same as <see cref="ClearAttachments"/>: the default is none.</remarks>
    [Pure]
    public static EcrPushSettings ResetAttachments(this EcrPushSettings settings)
        => ClearAttachments(settings);

    /// <inheritdoc cref="EcrPushSettings.IncludeReferrers"/>
    [Pure]
    public static EcrPushSettings SetIncludeReferrers(this EcrPushSettings settings, bool includeReferrers)
        => Checked(settings) with { IncludeReferrers = includeReferrers };

    /// <inheritdoc cref="EcrPushSettings.IncludeReferrers"/>
    [Pure]
    public static EcrPushSettings ResetIncludeReferrers(this EcrPushSettings settings)
        => Checked(settings) with { IncludeReferrers = true };

    /// <inheritdoc cref="EcrPushSettings.IncludeReferrers"/>
    [Pure]
    public static EcrPushSettings EnableIncludeReferrers(this EcrPushSettings settings)
        => Checked(settings) with { IncludeReferrers = true };

    /// <inheritdoc cref="EcrPushSettings.IncludeReferrers"/>
    [Pure]
    public static EcrPushSettings DisableIncludeReferrers(this EcrPushSettings settings)
        => Checked(settings) with { IncludeReferrers = false };

    /// <inheritdoc cref="EcrPushSettings.IncludeReferrers"/>
    [Pure]
    public static EcrPushSettings ToggleIncludeReferrers(this EcrPushSettings settings)
        => Checked(settings) with { IncludeReferrers = !settings.IncludeReferrers };

    /// <inheritdoc cref="EcrPushSettings.WaitForSigning"/>
    [Pure]
    public static EcrPushSettings SetWaitForSigning(this EcrPushSettings settings, bool waitForSigning)
        => Checked(settings) with { WaitForSigning = waitForSigning };

    /// <inheritdoc cref="EcrPushSettings.WaitForSigning"/>
    [Pure]
    public static EcrPushSettings ResetWaitForSigning(this EcrPushSettings settings)
        => Checked(settings) with { WaitForSigning = false };

    /// <inheritdoc cref="EcrPushSettings.WaitForSigning"/>
    [Pure]
    public static EcrPushSettings EnableWaitForSigning(this EcrPushSettings settings)
        => Checked(settings) with { WaitForSigning = true };

    /// <inheritdoc cref="EcrPushSettings.WaitForSigning"/>
    [Pure]
    public static EcrPushSettings DisableWaitForSigning(this EcrPushSettings settings)
        => Checked(settings) with { WaitForSigning = false };

    /// <inheritdoc cref="EcrPushSettings.WaitForSigning"/>
    [Pure]
    public static EcrPushSettings ToggleWaitForSigning(this EcrPushSettings settings)
        => Checked(settings) with { WaitForSigning = !settings.WaitForSigning };

    /// <inheritdoc cref="EcrPushSettings.SigningTimeout"/>
    [Pure]
    public static EcrPushSettings SetSigningTimeout(this EcrPushSettings settings, TimeSpan? signingTimeout)
        => Checked(settings) with { SigningTimeout = signingTimeout };

    /// <inheritdoc cref="EcrPushSettings.SigningTimeout"/>
    [Pure]
    public static EcrPushSettings ResetSigningTimeout(this EcrPushSettings settings)
        => Checked(settings) with { SigningTimeout = null };
}
