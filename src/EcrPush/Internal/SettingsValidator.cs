using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Ecr.Internal.Aws;

namespace Ecr.Internal;

/// <summary>
/// Checks every setting before anything touches the network, and turns the settings into a <see cref="PushPlan"/>.
/// All problems are gathered into one <see cref="EcrPushException"/>, each naming the setting, the value (never a
/// secret's), the rule and the fix.
/// </summary>
internal static partial class SettingsValidator
{
    private const int ShownValueLength = 80;

    public static PushPlan Validate(EcrPushSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var problems = new List<string>();

        var source = CheckSource(settings, problems);
        var repositoryName = CheckRepositoryName(settings.RepositoryName, problems);
        var tags = CheckTags(settings.TargetTags, problems);
        CheckOptional(nameof(settings.Region), settings.Region, Names.Region(), "an AWS region name such as us-east-1", problems);
        CheckOptional(nameof(settings.RegistryId), settings.RegistryId, Names.RegistryId(), "a 12-digit AWS account ID", problems);
        CheckOptional(nameof(settings.OutputVariable), settings.OutputVariable, Names.OutputVariable(), "letters, digits and underscores, not starting with a digit, at most 128 characters, so that every CI accepts it", problems);
        CheckCredentials(settings, problems);
        var dockerHost = CheckUri(nameof(settings.DockerHost), settings.DockerHost, ["unix", "npipe", "tcp", "http", "https"], problems);
        var endpoint = CheckUri(nameof(settings.EcrEndpointUrl), settings.EcrEndpointUrl, ["http", "https"], problems);
        var proxy = CheckUri(nameof(settings.Proxy), settings.Proxy, ["http", "https"], problems);
        var destinations = CheckDestinations(settings, problems);
        var repositoryOptions = CheckRepositoryOptions(settings, problems);

        if (problems.Count > 0)
        {
            var message = new StringBuilder(problems.Count == 1 ? "The ECR push settings have a problem:" : $"The ECR push settings have {problems.Count} problems:");
            foreach (var problem in problems)
            {
                message.Append(Environment.NewLine).Append("  - ").Append(problem);
            }

            throw new EcrPushException(message.ToString());
        }

        return new PushPlan(
            source!,
            repositoryName!,
            tags,
            settings.AutoCreateRepository,
            repositoryOptions,
            settings.OutputVariable,
            destinations,
            dockerHost,
            new AwsOptions
            {
                Region = settings.Region,
                AccessKeyId = settings.AwsAccessKeyId,
                SecretAccessKey = settings.AwsSecretAccessKey,
                SessionToken = settings.AwsSessionToken,
                Profile = settings.AwsProfile,
                RoleArn = settings.AwsRoleArn,
                ExternalId = settings.AwsExternalId,
                RoleSessionName = settings.AwsRoleSessionName,
                Credentials = settings.AwsCredentials,
                EndpointUrl = endpoint,
                UseFipsEndpoint = settings.UseFipsEndpoint,
                UseDualStackEndpoint = settings.UseDualStackEndpoint,
                Proxy = proxy,
            });
    }

    /// <summary>Quotes a value for a message: control characters escaped, long values cut.</summary>
    public static string Show(string value)
    {
        var builder = new StringBuilder("'");
        foreach (var c in value.Length > ShownValueLength ? value[..ShownValueLength] : value)
        {
            if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u200B' or '\uFEFF')
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        builder.Append('\'');
        if (value.Length > ShownValueLength)
        {
            builder.Append(CultureInfo.InvariantCulture, $" (… {value.Length} characters)");
        }

        return builder.ToString();
    }

    private static SourceImage? CheckSource(EcrPushSettings settings, List<string> problems)
    {
        if (settings.SourceOciLayout is not null || settings.SourceImageArchive is not null)
        {
            return CheckArtifactSource(settings, problems);
        }

        CheckArtifactOptionsWithoutArtifact(settings, problems);
        switch (settings.ImageIdentity)
        {
            case ImageIdentity.ImageName:
                if (settings.SourceImageId is not null)
                {
                    problems.Add($"SourceImageId {Show(settings.SourceImageId)} is set, but ImageIdentity is ImageName: set ImageIdentity to ImageId to push by ID, or reset SourceImageId.");
                }

                if (settings.SourceImageName is null)
                {
                    problems.Add("SourceImageName is not set: name the local image to push (e.g. SetSourceImageName(\"web:1.4.2\")), or push by ID with SetImageIdentity(ImageIdentity.ImageId) and SetSourceImageId(...).");
                    CheckOptional(nameof(settings.SourceImageTag), settings.SourceImageTag, Names.Tag(), TagRule, problems);
                    return null;
                }

                return CheckSourceReference(settings.SourceImageName, settings.SourceImageTag, problems);

            case ImageIdentity.ImageId:
                if (settings.SourceImageName is not null || settings.SourceImageTag is not null)
                {
                    problems.Add("SourceImageName or SourceImageTag is set, but ImageIdentity is ImageId: reset them, or set ImageIdentity to ImageName to push by name.");
                }

                if (settings.SourceImageId is null)
                {
                    problems.Add("SourceImageId is not set, but ImageIdentity is ImageId: set it to the image's ID (sha256:…, or a prefix such as the 12 characters `docker images` shows).");
                    return null;
                }

                return Check(nameof(settings.SourceImageId), settings.SourceImageId, Names.ImageId(), "sha256: and 64 lowercase hex digits, or a lowercase hex prefix of them", problems, allowEmpty: false)
                    ? new SourceImage(settings.SourceImageId, IsId: true)
                    : null;

            default:
                problems.Add($"ImageIdentity {(int)settings.ImageIdentity} is not one of ImageName, ImageId.");
                return null;
        }
    }

    /// <summary>
    /// A source reference read as Docker reads one, <c>name[:tag][@digest]</c>: a tag follows the last colon only
    /// after the last slash (<c>registry:5000/web</c> has none). With a digest the engine finds the image by it.
    /// </summary>
    private static SourceImage? CheckSourceReference(string reference, string? separateTag, List<string> problems)
    {
        var name = reference;
        string? digest = null;
        if (name.IndexOf('@', StringComparison.Ordinal) is var at and >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
            if (!Names.Digest().IsMatch(digest))
            {
                problems.Add($"SourceImageName {Show(reference)} has the digest {Show(digest)}, which is not a digest: sha256: and 64 lowercase hex digits (as `docker images --digests` shows), e.g. web@sha256:4f53….");
                return null;
            }
        }

        string? tag = null;
        if (name.IndexOf(':', name.LastIndexOf('/') + 1) is var colon and >= 0)
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (!Check($"The tag in SourceImageName {Show(reference)},", tag, Names.Tag(), TagRule, problems, allowEmpty: false))
            {
                return null;
            }
        }

        var ok = Check(nameof(EcrPushSettings.SourceImageName), name, Names.ImageName(), "a Docker image reference: lowercase letters, digits and separators (. _ __ -), path components joined by /, optionally after a registry host[:port]/, then an optional :tag or @sha256:digest", problems, allowEmpty: false);
        ok &= CheckOptional(nameof(EcrPushSettings.SourceImageTag), separateTag, Names.Tag(), TagRule, problems);
        if (!ok)
        {
            return null;
        }

        if (separateTag is not null && digest is not null)
        {
            problems.Add($"SourceImageName {Show(reference)} names a digest, and SourceImageTag is {Show(separateTag)}: a digest names one image already; reset SourceImageTag, or take the digest out of the name.");
            return null;
        }

        if (separateTag is not null && tag is not null && !string.Equals(separateTag, tag, StringComparison.Ordinal))
        {
            problems.Add($"SourceImageName {Show(reference)} names the tag {Show(tag)}, but SourceImageTag is {Show(separateTag)}: give the tag once, in the name or in SourceImageTag.");
            return null;
        }

        return digest is not null
            ? new SourceImage($"{name}@{digest}", IsId: false)
            : new SourceImage($"{name}:{tag ?? separateTag ?? Names.DefaultTag}", IsId: false);
    }

    private const string TagRule = "a Docker tag: 1 to 128 letters, digits, _ . -, not starting with . or -";

    private static string? CheckRepositoryName(string? name, List<string> problems)
    {
        if (name is null)
        {
            problems.Add("RepositoryName is not set: name the ECR repository to push to (e.g. SetRepositoryName(\"team/web\")).");
            return null;
        }

        if (name.Length is < Names.RepositoryNameMinLength or > Names.RepositoryNameMaxLength)
        {
            problems.Add($"RepositoryName {Show(name)} has {name.Length} characters: ECR takes {Names.RepositoryNameMinLength} to {Names.RepositoryNameMaxLength}.");
            return null;
        }

        return Check(nameof(EcrPushSettings.RepositoryName), name, Names.RepositoryName(), "ECR's repository name rule: lowercase letters and digits, separated by . _ __ or -, path components joined by / (e.g. team/web)", problems, allowEmpty: false)
            ? name
            : null;
    }

    private static string[] CheckTags(IReadOnlyList<string>? tags, List<string> problems)
    {
        if (tags is null || tags.Count == 0)
        {
            return [Names.DefaultTag];
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i];
            if (tag is null)
            {
                problems.Add($"TargetTags[{i}] is null: remove the entry.");
                continue;
            }

            Check($"TargetTags[{i}]", tag, Names.Tag(), TagRule, problems, allowEmpty: false);
            if (!seen.Add(tag))
            {
                problems.Add($"TargetTags[{i}] {Show(tag)} is listed more than once: list each tag once.");
            }
        }

        return [.. tags];
    }

    private static void CheckCredentials(EcrPushSettings settings, List<string> problems)
    {
        var hasKeys = settings.AwsAccessKeyId is not null || settings.AwsSecretAccessKey is not null;
        if (settings.AwsAccessKeyId is null && settings.AwsSecretAccessKey is not null)
        {
            problems.Add("AwsSecretAccessKey is set without AwsAccessKeyId: set both, or neither to use the environment's credentials.");
        }

        if (settings.AwsAccessKeyId is not null && settings.AwsSecretAccessKey is null)
        {
            problems.Add($"AwsAccessKeyId {Show(settings.AwsAccessKeyId)} is set without AwsSecretAccessKey: set both, or neither to use the environment's credentials.");
        }

        if (settings.AwsSessionToken is not null && !hasKeys)
        {
            problems.Add("AwsSessionToken is set without AwsAccessKeyId and AwsSecretAccessKey: a session token belongs to temporary keys; set all three.");
        }

        CheckOptional(nameof(settings.AwsAccessKeyId), settings.AwsAccessKeyId, Names.AccessKeyId(), "an AWS access key ID: 16 to 128 upper-case letters and digits (AKIA…, ASIA…)", problems);
        CheckSecret(nameof(settings.AwsSecretAccessKey), settings.AwsSecretAccessKey, problems);
        CheckSecret(nameof(settings.AwsSessionToken), settings.AwsSessionToken, problems);

        var sources = new List<string>();
        if (settings.AwsCredentials is not null)
        {
            sources.Add("AwsCredentials");
        }

        if (hasKeys)
        {
            sources.Add("AwsAccessKeyId/AwsSecretAccessKey");
        }

        if (settings.AwsProfile is not null)
        {
            sources.Add("AwsProfile");
        }

        if (sources.Count > 1)
        {
            problems.Add($"{string.Join(" and ", sources)} are both set: give credentials one way, so that it is clear which are used.");
        }

        if (settings.AwsProfile is not null && (settings.AwsProfile.Length == 0 || settings.AwsProfile.Trim() != settings.AwsProfile || settings.AwsProfile.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            problems.Add($"AwsProfile {Show(settings.AwsProfile)} is not a profile name: profile names have no white space; set the name as it stands in ~/.aws/config.");
        }

        CheckOptional(nameof(settings.AwsRoleArn), settings.AwsRoleArn, Names.RoleArn(), "an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>", problems);
        CheckOptional(nameof(settings.AwsRoleSessionName), settings.AwsRoleSessionName, Names.RoleSessionName(), "2 to 64 letters, digits and + = , . @ _ -", problems);
        if (settings.AwsRoleArn is null && (settings.AwsExternalId is not null || settings.AwsRoleSessionName is not null))
        {
            problems.Add("AwsExternalId or AwsRoleSessionName is set without AwsRoleArn: they apply only when assuming a role; set AwsRoleArn or reset them.");
        }

        if (settings.AwsExternalId is not null && (settings.AwsExternalId.Length is < 2 or > 1224 || settings.AwsExternalId.Any(char.IsWhiteSpace)))
        {
            problems.Add($"AwsExternalId {Show(settings.AwsExternalId)} is not an external ID: 2 to 1224 characters with no white space.");
        }
    }

    private static EcrDestination[] CheckDestinations(EcrPushSettings settings, List<string> problems)
    {
        var all = new List<EcrDestination> { new(settings.Region, settings.RegistryId) };
        for (var i = 0; i < (settings.Destinations?.Count ?? 0); i++)
        {
            var destination = settings.Destinations![i];
            if (destination is null)
            {
                problems.Add($"Destinations[{i}] is null: remove the entry.");
                continue;
            }

            CheckOptional($"Destinations[{i}].Region", destination.Region, Names.Region(), "an AWS region name such as eu-west-1", problems);
            CheckOptional($"Destinations[{i}].RegistryId", destination.RegistryId, Names.RegistryId(), "a 12-digit AWS account ID", problems);
            if (all.Contains(destination))
            {
                problems.Add($"Destinations[{i}] {destination} is listed more than once (the first destination is Region and RegistryId): list each destination once.");
            }

            all.Add(destination);
        }

        return [.. all];
    }

    private static RepositoryOptions CheckRepositoryOptions(EcrPushSettings settings, List<string> problems)
    {
        var mutability = WireValue(nameof(settings.TagMutability), settings.TagMutability, TagMutabilities, problems);
        var encryption = WireValue(nameof(settings.EncryptionType), settings.EncryptionType, EncryptionTypes, problems);

        var filters = settings.TagMutabilityExclusionFilters ?? [];
        var withExclusion = settings.TagMutability is TagMutability.ImmutableWithExclusion or TagMutability.MutableWithExclusion;
        if (withExclusion && filters.Count == 0)
        {
            problems.Add($"TagMutability {settings.TagMutability} needs TagMutabilityExclusionFilters: add the wildcard filters of the tags excluded (e.g. AddTagMutabilityExclusionFilters(\"latest\")).");
        }

        if (!withExclusion && filters.Count > 0)
        {
            problems.Add("TagMutabilityExclusionFilters are set, but TagMutability is not ImmutableWithExclusion or MutableWithExclusion: set one of those, or clear the filters.");
        }

        for (var i = 0; i < filters.Count; i++)
        {
            Check($"TagMutabilityExclusionFilters[{i}]", filters[i] ?? string.Empty, Names.MutabilityExclusionFilter(), "1 to 128 letters, digits, . _ - and * (any run of characters)", problems, allowEmpty: false);
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
            LifecyclePolicy = ReadPolicy(nameof(settings.LifecyclePolicy), settings.LifecyclePolicy, settings.LifecyclePolicyFile, 100, 30720, problems),
            RepositoryPolicy = ReadPolicy(nameof(settings.RepositoryPolicy), settings.RepositoryPolicy, settings.RepositoryPolicyFile, 1, 10240, problems),
        };

        if (!options.IsEmpty && !settings.AutoCreateRepository)
        {
            problems.Add("Repository options (scan on push, tag mutability, encryption, tags, policies) are set, but AutoCreateRepository is off: they apply only to a repository the push creates; EnableAutoCreateRepository(), or reset them.");
        }

        return options;
    }

    /// <summary>A policy given as JSON text or as a file: read, and checked to be JSON of ECR's allowed length.</summary>
    private static string? ReadPolicy(string setting, string? text, string? file, int minLength, int maxLength, List<string> problems)
    {
        if (text is not null && file is not null)
        {
            problems.Add($"{setting} and {setting}File are both set: give the policy one way.");
            return null;
        }

        var source = text is not null ? setting : $"{setting}File {Show(file ?? string.Empty)}";
        if (file is not null)
        {
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                problems.Add($"{source} could not be read ({exception.Message}): give the path of a readable JSON file.");
                return null;
            }
        }

        if (text is null)
        {
            return null;
        }

        if (text.Length < minLength || text.Length > maxLength)
        {
            problems.Add($"{source} has {text.Length} characters: ECR takes {minLength} to {maxLength}.");
            return null;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(text);
            return text;
        }
        catch (System.Text.Json.JsonException exception)
        {
            problems.Add($"{source} is not JSON ({exception.Message}): give the policy document as ECR's console or CLI shows it.");
            return null;
        }
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

    private static void CheckSecret(string setting, string? value, List<string> problems)
    {
        // The value itself never goes into a message.
        if (value is not null && (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            problems.Add($"{setting} (value hidden, {value.Length} characters) is empty or contains white space: copy the value again without spaces or line breaks.");
        }
    }

    private static Uri? CheckUri(string setting, string? value, string[] schemes, List<string> problems)
    {
        if (value is null)
        {
            return null;
        }

        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && schemes.Contains(uri.Scheme, StringComparer.Ordinal) && value.Trim() == value)
        {
            return uri;
        }

        problems.Add($"{setting} {Show(value)} is not an absolute URI with a scheme of {string.Join(", ", schemes)}: e.g. {(schemes[0] == "unix" ? "unix:///var/run/docker.sock" : "http://127.0.0.1:5000")}.");
        return null;
    }

    private static bool CheckOptional(string setting, string? value, Regex rule, string ruleText, List<string> problems)
        => value is null || Check(setting, value, rule, ruleText, problems, allowEmpty: false);

    private static bool Check(string setting, string value, Regex rule, string ruleText, List<string> problems, bool allowEmpty)
    {
        if (value.Length == 0 && allowEmpty)
        {
            return true;
        }

        if (rule.IsMatch(value))
        {
            return true;
        }

        var why = value.Length == 0 ? "is empty"
            : string.IsNullOrWhiteSpace(value) ? "is only white space"
            : value.Trim() != value ? "has white space at its start or end"
            : "does not match the rule";
        problems.Add($"{setting} {Show(value)} {why}: it must be {ruleText}.");
        return false;
    }
}
