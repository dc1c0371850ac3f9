namespace Ecr.Internal;

/// <summary>
/// The checks of ECR Public as a destination: the alias, the repository name by ECR Public's own rule, the catalog data
/// within ECR Public's limits (ecr-public service model), and the options ECR Public has not (FIPS, the private
/// registry's repository settings). Everything the settings alone show, before any call.
/// </summary>
internal static partial class SettingsValidator
{
    // RepositoryCatalogDataInput's limits in the ecr-public service model.
    private const int CatalogDescriptionMaxLength = 1024;
    private const int CatalogTextMaxLength = 25600;
    private const int CatalogListMaxCount = 50;
    private const int CatalogListItemMaxLength = 50;
    private const int CatalogLogoMaxBytes = 512000;

    private static (PublicCatalog? Catalog, string? Alias) CheckPublic(EcrPushSettings settings, IReadOnlyList<EcrDestination> destinations, string? repositoryName, List<string> problems)
    {
        var anyPublic = destinations.Any(d => d.PublicRegistry);
        var alias = settings.PublicRegistryAlias;
        if (alias is not null)
        {
            Check(nameof(settings.PublicRegistryAlias), alias, Names.PublicRegistryAlias(), "an ECR Public registry alias: 2 to 50 lowercase letters and digits, a letter first, separated by single . _ or - (e.g. my-team)", problems);
            if (!anyPublic)
            {
                problems.Add($"PublicRegistryAlias {Show(alias)} is set, but no destination is ECR Public: EnablePublicRegistry() to push to public.ecr.aws/{alias}/…, or reset PublicRegistryAlias.");
            }
        }

        var catalog = CheckCatalog(settings, problems);
        if (catalog is not null && !anyPublic)
        {
            problems.Add("Catalog data (CatalogDescription, CatalogAboutText, CatalogUsageText, CatalogArchitectures, CatalogOperatingSystems, CatalogLogoFile) is set, but no destination is ECR Public:\nit describes a public repository in the ECR Public Gallery; EnablePublicRegistry(), or reset it.");
        }
        else if (catalog is not null && !settings.AutoCreateRepository)
        {
            problems.Add("Catalog data (CatalogDescription, CatalogAboutText, CatalogUsageText, CatalogArchitectures, CatalogOperatingSystems, CatalogLogoFile) is set, but AutoCreateRepository is off:\nit is given to an ECR Public repository the push creates; EnableAutoCreateRepository(), or reset it.");
        }

        if (!anyPublic)
        {
            return (catalog, alias);
        }

        for (var i = 0; i < settings.Destinations.Count; i++)
        {
            if (settings.Destinations[i] is { PublicRegistry: true, Region: { } region })
            {
                problems.Add($"Destinations[{i}] is ECR Public, with Region {Show(region)}: ECR Public's API and token are served in us-east-1 for every push; leave its Region unset.");
            }
        }

        if (repositoryName is not null && (repositoryName.Length > Names.PublicRepositoryNameMaxLength || !Names.PublicRepositoryName().IsMatch(repositoryName)))
        {
            problems.Add($"RepositoryName {Show(repositoryName)} is a private repository name, but not one ECR Public takes:\nlowercase letters and digits separated by a single . _ or -, path components joined by /, at most {Names.PublicRepositoryNameMaxLength} characters (e.g. team/web).");
        }

        if (settings.UseFipsEndpoint == true)
        {
            problems.Add("UseFipsEndpoint is on, but a destination is ECR Public, which has no FIPS endpoint: push to ECR Public without FIPS (in a push of its own), or reset UseFipsEndpoint.");
        }

        var privateOnly = new (string Name, bool IsSet)[]
        {
            (nameof(settings.ScanOnPush), settings.ScanOnPush is not null),
            (nameof(settings.TagMutability), settings.TagMutability is not null),
            (nameof(settings.TagMutabilityExclusionFilters), settings.TagMutabilityExclusionFilters.Count > 0),
            (nameof(settings.EncryptionType), settings.EncryptionType is not null),
            (nameof(settings.KmsKey), settings.KmsKey is not null),
            (nameof(settings.LifecyclePolicy), settings.LifecyclePolicy is not null),
            (nameof(settings.LifecyclePolicyFile), settings.LifecyclePolicyFile is not null),
        }.Where(option => option.IsSet).Select(option => option.Name).ToList();
        if (privateOnly.Count > 0)
        {
            problems.Add($"{string.Join(", ", privateOnly)} {(privateOnly.Count == 1 ? "is" : "are")} set, but a destination is ECR Public, whose repositories have no such setting:\npush to the private and the public registry in two pushes, or reset {(privateOnly.Count == 1 ? "it" : "them")}.");
        }

        return (catalog, alias);
    }

    /// <summary>The catalog data, each part within ECR Public's limit, the logo read from its file; null when none is set.</summary>
    private static PublicCatalog? CheckCatalog(EcrPushSettings settings, List<string> problems)
    {
        var architectures = settings.CatalogArchitectures ?? [];
        var systems = settings.CatalogOperatingSystems ?? [];
        if (settings.CatalogDescription is null && settings.CatalogAboutText is null && settings.CatalogUsageText is null
            && architectures.Count == 0 && systems.Count == 0 && settings.CatalogLogoFile is null)
        {
            return null;
        }

        CheckCatalogText(nameof(settings.CatalogDescription), settings.CatalogDescription, CatalogDescriptionMaxLength, problems);
        CheckCatalogText(nameof(settings.CatalogAboutText), settings.CatalogAboutText, CatalogTextMaxLength, problems);
        CheckCatalogText(nameof(settings.CatalogUsageText), settings.CatalogUsageText, CatalogTextMaxLength, problems);
        CheckCatalogList(nameof(settings.CatalogArchitectures), architectures, "e.g. x86-64 or ARM 64", problems);
        CheckCatalogList(nameof(settings.CatalogOperatingSystems), systems, "e.g. Linux or Windows", problems);
        return new PublicCatalog(settings.CatalogDescription, settings.CatalogAboutText, settings.CatalogUsageText, [.. architectures], [.. systems], ReadLogo(settings.CatalogLogoFile, problems));
    }

    private static void CheckCatalogText(string setting, string? text, int maxLength, List<string> problems)
    {
        if (text is not null && text.Length > maxLength)
        {
            problems.Add($"{setting} has {text.Length} characters: ECR Public takes at most {maxLength}. Shorten it.");
        }
    }

    private static void CheckCatalogList(string setting, IReadOnlyList<string> items, string example, List<string> problems)
    {
        if (items.Count > CatalogListMaxCount)
        {
            problems.Add($"{setting} has {items.Count} entries: ECR Public takes at most {CatalogListMaxCount}.");
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { Length: >= 1 and <= CatalogListItemMaxLength } item || string.IsNullOrWhiteSpace(item))
            {
                problems.Add($"{setting}[{i}] is {(items[i] is null ? "null" : Show(items[i]))}: ECR Public takes 1 to {CatalogListItemMaxLength} characters ({example}).");
            }
        }
    }

    private static string? ReadLogo(string? file, List<string> problems)
    {
        if (file is null)
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problems.Add($"CatalogLogoFile {Show(file)} could not be read ({exception.Message}): give the path of a readable image file.");
            return null;
        }

        if (bytes.Length is 0 or > CatalogLogoMaxBytes)
        {
            problems.Add($"CatalogLogoFile {Show(file)} has {bytes.Length} bytes: ECR Public takes a logo of 1 to {CatalogLogoMaxBytes}.");
            return null;
        }

        return Convert.ToBase64String(bytes);
    }
}
