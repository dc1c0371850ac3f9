using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Ecr.Internal.Aws.Runtime;

namespace Ecr.Internal;

/// <summary>
/// Checks every setting before anything touches the network, and turns the settings into a <see cref="PushPlan"/>.
/// All problems are gathered into one <see cref="EcrPushException"/>, each naming the setting, the value (never a
/// secret's), the rule and the fix.
/// </summary>
internal static partial class SettingsValidator
{
    private const int ShownValueLength = 80;

    // A problem's line, after its "  - ", stays within 200 characters, which a CI log shows whole.
    private const int ProblemLineLength = 196;

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
        if (settings.DockerHost is not null && settings.DockerContext is not null)
        {
            problems.Add($"DockerHost {Show(settings.DockerHost)} and DockerContext {Show(settings.DockerContext)} are both set: set one (as docker takes --host or --context, not both).");
        }
        var endpoint = CheckUri(nameof(settings.EcrEndpointUrl), settings.EcrEndpointUrl, ["http", "https"], problems);
        var proxy = CheckUri(nameof(settings.Proxy), settings.Proxy, ["http", "https"], problems);
        var destinations = CheckDestinations(settings, problems);
        var repositoryOptions = CheckRepositoryOptions(settings, problems);
        var (catalog, publicAlias) = CheckPublic(settings, destinations, repositoryName, problems);
        var referrers = CheckReferrers(settings, source, problems);

        if (problems.Count > 0)
        {
            var listed = problems.Select(problem => problem.ReplaceLineEndings(Environment.NewLine)).ToList();
            throw new EcrPushException(Messages.Lines(listed.Count == 1 ? "The ECR push settings have a problem:" : $"The ECR push settings have {listed.Count} problems:", listed.Select(problem => "- " + problem)))
            {
                Problems = listed,
            };
        }

        return new PushPlan(
            source! with { IncludeReferrers = settings.IncludeReferrers },
            repositoryName!,
            tags,
            settings.AutoCreateRepository,
            repositoryOptions with { Catalog = catalog },
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
            })
        {
            Engine = new EngineOptions(settings.DockerTlsVerify, settings.DockerCertPath, settings.DockerContext, settings.RequireDockerTls),
            PublicRegistryAlias = publicAlias,
            Referrers = referrers,
        };
    }

    /// <summary>Quotes a value for a message: control characters escaped, long values cut.</summary>
    public static string Show(string value)
    {
        // A URL's user:password (a proxy's, most likely) never reaches a message, whether the URL parses or not.
        value = Names.UrlUserInfo().Replace(value, "://***@");
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

    private const string TagRule = "a Docker tag: 1 to 128 letters, digits, _ . -, not starting with . or -";

    private static string? CheckRepositoryName(string? name, List<string> problems, string setting = nameof(EcrPushSettings.RepositoryName))
    {
        if (name is null)
        {
            problems.Add("RepositoryName is not set: name the ECR repository to push to (e.g. SetRepositoryName(\"team/web\")).");
            return null;
        }

        if (name.Length is < Names.RepositoryNameMinLength or > Names.RepositoryNameMaxLength)
        {
            problems.Add($"{setting} {Show(name)} has {name.Length} characters: ECR takes {Names.RepositoryNameMinLength} to {Names.RepositoryNameMaxLength}.");
            return null;
        }

        if (LowercaseSuggestion(name, Names.RepositoryName()) is { } lowercase)
        {
            problems.Add($"{setting} {Show(name)} has capital letters, and ECR's repository names are lowercase: did you mean {Show(lowercase)}?");
            return null;
        }

        return Check(setting, name, Names.RepositoryName(), "ECR's repository name rule: lowercase letters and digits, separated by . _ __ or -, path components joined by / (e.g. team/web)", problems)
            ? name
            : null;
    }

    /// <summary>The lowercase form of a name that breaks its rule only by its capitals; null when that form breaks it too.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Globalization", "CA1308:Normalize strings to uppercase", Justification = "ECR's names are lowercase: the suggestion is the name's lowercase form.")]
    private static string? LowercaseSuggestion(string name, Regex rule)
        => !rule.IsMatch(name) && name.Any(char.IsUpper) && name.ToLowerInvariant() is var lowercase && rule.IsMatch(lowercase) ? lowercase : null;

    /// <summary>
    /// A Docker tag. A <c>+</c> is the one fault every versioning tool leads to: SemVer's build metadata, which GitVersion
    /// writes in FullSemVer (1.2.3+5), Nerdbank.GitVersioning in SemVer2 (1.2.3+g1a2b3c4d5e) and MinVer when given
    /// MinVerBuildMetadata; Docker's tag grammar has no <c>+</c>, so the message says what to write instead.
    /// </summary>
    private static bool CheckTag(string setting, string tag, List<string> problems)
    {
        if (tag.Contains('+', StringComparison.Ordinal) && !Names.Tag().IsMatch(tag) && Names.Tag().IsMatch(tag.Replace('+', '-')))
        {
            problems.Add(
                $"{setting} {Show(tag)} has a '+': it must be {TagRule}.\n" +
                "'+' starts SemVer build metadata, as GitVersion (FullSemVer), Nerdbank.GitVersioning (SemVer2) and MinVer (MinVerBuildMetadata) write it:\n" +
                $"use '-' or '_' instead, e.g. {Show(tag.Replace('+', '-'))}, or leave the metadata out.");
            return false;
        }

        return Check(setting, tag, Names.Tag(), TagRule, problems);
    }

    private static bool CheckOptionalTag(string setting, string? tag, List<string> problems)
        => tag is null || CheckTag(setting, tag, problems);

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

            CheckTag($"TargetTags[{i}]", tag, problems);
            if (!seen.Add(tag))
            {
                problems.Add($"TargetTags[{i}] {Show(tag)} is listed more than once: list each tag once.");
            }
        }

        return [.. tags];
    }

    private static EcrDestination[] CheckDestinations(EcrPushSettings settings, List<string> problems)
    {
        // ECR Public is served in one region: a public destination carries none, so that two of them compare equal.
        var all = new List<EcrDestination> { settings.PublicRegistry ? new(null, settings.RegistryId) { PublicRegistry = true } : new(settings.Region, settings.RegistryId) };
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
            if (all.Contains(destination with { Region = destination.PublicRegistry ? null : destination.Region }))
            {
                problems.Add($"Destinations[{i}] {destination} is listed more than once (the first destination is Region and RegistryId): list each destination once.");
            }

            all.Add(destination.PublicRegistry ? destination with { Region = null } : destination);
        }

        return [.. all];
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
        => value is null || Check(setting, value, rule, ruleText, problems);

    private static bool Check(string setting, string value, Regex rule, string ruleText, List<string> problems)
    {
        if (rule.IsMatch(value))
        {
            return true;
        }

        var why = value.Length == 0 ? "is empty"
            : string.IsNullOrWhiteSpace(value) ? "is only white space"
            : value.Trim() != value ? "has white space at its start or end"
            : "does not match the rule";
        // The rule on a line of its own when one line would be too long for a CI log.
        var problem = $"{setting} {Show(value)} {why}: it must be {ruleText}.";
        problems.Add(problem.Length <= ProblemLineLength ? problem : $"{setting} {Show(value)} {why}:\nit must be {ruleText}.");
        return false;
    }
}
