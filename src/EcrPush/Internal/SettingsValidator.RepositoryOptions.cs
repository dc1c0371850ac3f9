using System.Globalization;

namespace Ecr.Internal;

/// <summary>The checks of the options for a repository the push creates, and ECR's names for the enum values.</summary>
internal static partial class SettingsValidator
{
    private static RepositoryOptions CheckRepositoryOptions(EcrPushSettings settings, List<string> problems)
    {
        var mutability = WireValue(nameof(settings.TagMutability), settings.TagMutability, TagMutabilities, problems);
        var encryption = WireValue(nameof(settings.EncryptionType), settings.EncryptionType, EncryptionTypes, problems);

        var filters = settings.TagMutabilityExclusionFilters ?? [];
        var withExclusion = settings.TagMutability is TagMutability.ImmutableWithExclusion or TagMutability.MutableWithExclusion;
        if (withExclusion && filters.Count == 0)
        {
            problems.Add($"TagMutability {settings.TagMutability} needs TagMutabilityExclusionFilters:\nadd the wildcard filters of the tags excluded (e.g. AddTagMutabilityExclusionFilters(\"latest\")).");
        }

        if (!withExclusion && filters.Count > 0)
        {
            problems.Add("TagMutabilityExclusionFilters are set, but TagMutability is not ImmutableWithExclusion or MutableWithExclusion: set one of those, or clear the filters.");
        }

        for (var i = 0; i < filters.Count; i++)
        {
            Check($"TagMutabilityExclusionFilters[{i}]", filters[i] ?? string.Empty, Names.MutabilityExclusionFilter(), "1 to 128 letters, digits, . _ - and * (any run of characters)", problems);
        }

        if (settings.KmsKey is not null)
        {
            if (settings.KmsKey.Length is 0 or > 2048 || settings.KmsKey.Any(char.IsWhiteSpace))
            {
                problems.Add($"KmsKey {Show(settings.KmsKey)} is not a KMS key: a key ARN, ID or alias, 1 to 2048 characters with no white space.");
            }

            if (settings.EncryptionType is not (EncryptionType.Kms or EncryptionType.KmsDsse))
            {
                problems.Add($"KmsKey is set, but EncryptionType is {settings.EncryptionType?.ToString() ?? "not set (AES256)"}: set EncryptionType to Kms or KmsDsse, or reset KmsKey.");
            }
        }

        foreach (var (key, value) in settings.RepositoryTags ?? new Dictionary<string, string>())
        {
            if (key.Length is 0 or > 128 || (value?.Length ?? 0) > 256)
            {
                problems.Add($"RepositoryTags {Show(key)} = {Show(value ?? string.Empty)} breaks ECR's rule: keys of 1 to 128 characters, values of at most 256.");
            }
        }

        var options = new RepositoryOptions
        {
            ScanOnPush = settings.ScanOnPush,
            TagMutability = mutability,
            TagMutabilityExclusionFilters = [.. filters],
            EncryptionType = encryption,
            KmsKey = settings.KmsKey,
            Tags = new Dictionary<string, string>(settings.RepositoryTags ?? new Dictionary<string, string>(), StringComparer.Ordinal),
            LifecyclePolicy = PolicyDocuments.ReadLifecyclePolicy(settings.LifecyclePolicy, settings.LifecyclePolicyFile, problems),
            RepositoryPolicy = PolicyDocuments.Read(nameof(settings.RepositoryPolicy), settings.RepositoryPolicy, settings.RepositoryPolicyFile, 1, 10240, problems),
        };

        if (!options.IsEmpty && !settings.AutoCreateRepository)
        {
            problems.Add("Repository options (scan on push, tag mutability, encryption, tags, policies) are set, but AutoCreateRepository is off:\nthey apply only to a repository the push creates; EnableAutoCreateRepository(), or reset them.");
        }

        return options;
    }

    private static readonly Dictionary<TagMutability, string> TagMutabilities = new()
    {
        [TagMutability.Mutable] = "MUTABLE",
        [TagMutability.Immutable] = "IMMUTABLE",
        [TagMutability.ImmutableWithExclusion] = "IMMUTABLE_WITH_EXCLUSION",
        [TagMutability.MutableWithExclusion] = "MUTABLE_WITH_EXCLUSION",
    };

    private static readonly Dictionary<EncryptionType, string> EncryptionTypes = new()
    {
        [EncryptionType.Aes256] = "AES256",
        [EncryptionType.Kms] = "KMS",
        [EncryptionType.KmsDsse] = "KMS_DSSE",
    };

    /// <summary>ECR's name for an enum value; a value cast from an undefined number is a problem.</summary>
    private static string? WireValue<T>(string setting, T? value, Dictionary<T, string> wire, List<string> problems)
        where T : struct, Enum
    {
        if (value is not { } given)
        {
            return null;
        }

        if (wire.TryGetValue(given, out var name))
        {
            return name;
        }

        problems.Add($"{setting} {Convert.ToInt64(given, CultureInfo.InvariantCulture)} is not one of {string.Join(", ", wire.Keys)}: use one of the {typeof(T).Name} values.");
        return null;
    }
}
