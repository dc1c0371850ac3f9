using System.Diagnostics.Contracts;

namespace Ecr;

/// <summary>The fluent methods of ECR Public as the destination, and of the catalog data of a public repository the push creates.</summary>
public static partial class EcrPushSettingsExtensions
{
    /// <inheritdoc cref="EcrPushSettings.PublicRegistry"/>
    [Pure]
    public static EcrPushSettings SetPublicRegistry(this EcrPushSettings settings, bool publicRegistry)
        => Checked(settings) with { PublicRegistry = publicRegistry };

    /// <inheritdoc cref="EcrPushSettings.PublicRegistry"/>
    [Pure]
    public static EcrPushSettings ResetPublicRegistry(this EcrPushSettings settings)
        => Checked(settings) with { PublicRegistry = false };

    /// <inheritdoc cref="EcrPushSettings.PublicRegistry"/>
    [Pure]
    public static EcrPushSettings EnablePublicRegistry(this EcrPushSettings settings)
        => Checked(settings) with { PublicRegistry = true };

    /// <inheritdoc cref="EcrPushSettings.PublicRegistry"/>
    [Pure]
    public static EcrPushSettings DisablePublicRegistry(this EcrPushSettings settings)
        => Checked(settings) with { PublicRegistry = false };

    /// <inheritdoc cref="EcrPushSettings.PublicRegistry"/>
    [Pure]
    public static EcrPushSettings TogglePublicRegistry(this EcrPushSettings settings)
        => Checked(settings) with { PublicRegistry = !settings.PublicRegistry };

    /// <inheritdoc cref="EcrPushSettings.PublicRegistryAlias"/>
    [Pure]
    public static EcrPushSettings SetPublicRegistryAlias(this EcrPushSettings settings, string? publicRegistryAlias)
        => Checked(settings) with { PublicRegistryAlias = publicRegistryAlias };

    /// <inheritdoc cref="EcrPushSettings.PublicRegistryAlias"/>
    [Pure]
    public static EcrPushSettings ResetPublicRegistryAlias(this EcrPushSettings settings)
        => Checked(settings) with { PublicRegistryAlias = null };

    /// <inheritdoc cref="EcrPushSettings.CatalogDescription"/>
    [Pure]
    public static EcrPushSettings SetCatalogDescription(this EcrPushSettings settings, string? catalogDescription)
        => Checked(settings) with { CatalogDescription = catalogDescription };

    /// <inheritdoc cref="EcrPushSettings.CatalogDescription"/>
    [Pure]
    public static EcrPushSettings ResetCatalogDescription(this EcrPushSettings settings)
        => Checked(settings) with { CatalogDescription = null };

    /// <inheritdoc cref="EcrPushSettings.CatalogAboutText"/>
    [Pure]
    public static EcrPushSettings SetCatalogAboutText(this EcrPushSettings settings, string? catalogAboutText)
        => Checked(settings) with { CatalogAboutText = catalogAboutText };

    /// <inheritdoc cref="EcrPushSettings.CatalogAboutText"/>
    [Pure]
    public static EcrPushSettings ResetCatalogAboutText(this EcrPushSettings settings)
        => Checked(settings) with { CatalogAboutText = null };

    /// <inheritdoc cref="EcrPushSettings.CatalogUsageText"/>
    [Pure]
    public static EcrPushSettings SetCatalogUsageText(this EcrPushSettings settings, string? catalogUsageText)
        => Checked(settings) with { CatalogUsageText = catalogUsageText };

    /// <inheritdoc cref="EcrPushSettings.CatalogUsageText"/>
    [Pure]
    public static EcrPushSettings ResetCatalogUsageText(this EcrPushSettings settings)
        => Checked(settings) with { CatalogUsageText = null };

    /// <inheritdoc cref="EcrPushSettings.CatalogArchitectures"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetCatalogArchitectures(this EcrPushSettings settings, params string[] catalogArchitectures)
        => SetCatalogArchitectures(settings, (IEnumerable<string>)catalogArchitectures);

    /// <inheritdoc cref="EcrPushSettings.CatalogArchitectures"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetCatalogArchitectures(this EcrPushSettings settings, IEnumerable<string> catalogArchitectures)
        => Checked(settings) with { CatalogArchitectures = [.. Checked(catalogArchitectures)] };

    /// <inheritdoc cref="EcrPushSettings.CatalogArchitectures"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddCatalogArchitectures(this EcrPushSettings settings, params string[] catalogArchitectures)
        => AddCatalogArchitectures(settings, (IEnumerable<string>)catalogArchitectures);

    /// <inheritdoc cref="EcrPushSettings.CatalogArchitectures"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddCatalogArchitectures(this EcrPushSettings settings, IEnumerable<string> catalogArchitectures)
        => Checked(settings) with { CatalogArchitectures = [.. settings.CatalogArchitectures, .. Checked(catalogArchitectures)] };

    /// <inheritdoc cref="EcrPushSettings.CatalogArchitectures"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemoveCatalogArchitectures(this EcrPushSettings settings, params string[] catalogArchitectures)
        => RemoveCatalogArchitectures(settings, (IEnumerable<string>)catalogArchitectures);

    /// <inheritdoc cref="EcrPushSettings.CatalogArchitectures"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemoveCatalogArchitectures(this EcrPushSettings settings, IEnumerable<string> catalogArchitectures)
        => Checked(settings) with { CatalogArchitectures = Without(settings.CatalogArchitectures, Checked(catalogArchitectures)) };

    /// <inheritdoc cref="EcrPushSettings.CatalogArchitectures"/>
    [Pure]
    public static EcrPushSettings ClearCatalogArchitectures(this EcrPushSettings settings)
        => Checked(settings) with { CatalogArchitectures = [] };

    /// <inheritdoc cref="EcrPushSettings.CatalogArchitectures"/>
    /// <remarks>The same as <see cref="ClearCatalogArchitectures"/>: the default is none.</remarks>
    [Pure]
    public static EcrPushSettings ResetCatalogArchitectures(this EcrPushSettings settings)
        => ClearCatalogArchitectures(settings);

    /// <inheritdoc cref="EcrPushSettings.CatalogOperatingSystems"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetCatalogOperatingSystems(this EcrPushSettings settings, params string[] catalogOperatingSystems)
        => SetCatalogOperatingSystems(settings, (IEnumerable<string>)catalogOperatingSystems);

    /// <inheritdoc cref="EcrPushSettings.CatalogOperatingSystems"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetCatalogOperatingSystems(this EcrPushSettings settings, IEnumerable<string> catalogOperatingSystems)
        => Checked(settings) with { CatalogOperatingSystems = [.. Checked(catalogOperatingSystems)] };

    /// <inheritdoc cref="EcrPushSettings.CatalogOperatingSystems"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddCatalogOperatingSystems(this EcrPushSettings settings, params string[] catalogOperatingSystems)
        => AddCatalogOperatingSystems(settings, (IEnumerable<string>)catalogOperatingSystems);

    /// <inheritdoc cref="EcrPushSettings.CatalogOperatingSystems"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddCatalogOperatingSystems(this EcrPushSettings settings, IEnumerable<string> catalogOperatingSystems)
        => Checked(settings) with { CatalogOperatingSystems = [.. settings.CatalogOperatingSystems, .. Checked(catalogOperatingSystems)] };

    /// <inheritdoc cref="EcrPushSettings.CatalogOperatingSystems"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemoveCatalogOperatingSystems(this EcrPushSettings settings, params string[] catalogOperatingSystems)
        => RemoveCatalogOperatingSystems(settings, (IEnumerable<string>)catalogOperatingSystems);

    /// <inheritdoc cref="EcrPushSettings.CatalogOperatingSystems"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemoveCatalogOperatingSystems(this EcrPushSettings settings, IEnumerable<string> catalogOperatingSystems)
        => Checked(settings) with { CatalogOperatingSystems = Without(settings.CatalogOperatingSystems, Checked(catalogOperatingSystems)) };

    /// <inheritdoc cref="EcrPushSettings.CatalogOperatingSystems"/>
    [Pure]
    public static EcrPushSettings ClearCatalogOperatingSystems(this EcrPushSettings settings)
        => Checked(settings) with { CatalogOperatingSystems = [] };

    /// <inheritdoc cref="EcrPushSettings.CatalogOperatingSystems"/>
    /// <remarks>The same as <see cref="ClearCatalogOperatingSystems"/>: the default is none.</remarks>
    [Pure]
    public static EcrPushSettings ResetCatalogOperatingSystems(this EcrPushSettings settings)
        => ClearCatalogOperatingSystems(settings);

    /// <inheritdoc cref="EcrPushSettings.CatalogLogoFile"/>
    [Pure]
    public static EcrPushSettings SetCatalogLogoFile(this EcrPushSettings settings, string? catalogLogoFile)
        => Checked(settings) with { CatalogLogoFile = catalogLogoFile };

    /// <inheritdoc cref="EcrPushSettings.CatalogLogoFile"/>
    [Pure]
    public static EcrPushSettings ResetCatalogLogoFile(this EcrPushSettings settings)
        => Checked(settings) with { CatalogLogoFile = null };
}
