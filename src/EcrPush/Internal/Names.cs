using System.Text.RegularExpressions;

namespace Ecr.Internal;

/// <summary>The grammars of the names a push handles: ECR's for repositories, Docker's for tags and references.</summary>
internal static partial class Names
{
    public const int RepositoryNameMinLength = 2;
    public const int RepositoryNameMaxLength = 256;
    public const int TagMaxLength = 128;
    public const string DefaultTag = "latest";

    /// <summary>An image ID as `docker images` shows it: the first 12 hex digits after <c>sha256:</c>.</summary>
    public static string ShortImageId(string id)
        => id.StartsWith("sha256:", StringComparison.Ordinal) && id.Length >= 19 ? id[7..19] : id;

    /// <summary>The user info of a URL, <c>://user:password@</c>, also in a value that is not a valid URL (a stray space).</summary>
    [GeneratedRegex(@"://[^/@]*@", RegexOptions.CultureInvariant)]
    public static partial Regex UrlUserInfo();

    /// <summary>ECR's RepositoryName pattern (service model), anchored.</summary>
    [GeneratedRegex(@"\A[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\z", RegexOptions.CultureInvariant)]
    public static partial Regex RepositoryName();

    /// <summary>Docker's tag grammar: ECR allows 300 characters, but the engine refuses more than 128.</summary>
    [GeneratedRegex(@"\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z", RegexOptions.CultureInvariant)]
    public static partial Regex Tag();

    /// <summary>A Docker image name without tag or digest: an optional registry host[:port], then lowercase path components.</summary>
    [GeneratedRegex(@"\A(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*\z", RegexOptions.CultureInvariant)]
    public static partial Regex ImageName();

    /// <summary>A content digest as the engine takes it in a reference: <c>sha256:</c> and 64 lowercase hex digits.</summary>
    [GeneratedRegex(@"\Asha256:[0-9a-f]{64}\z", RegexOptions.CultureInvariant)]
    public static partial Regex Digest();

    /// <summary>An image ID: <c>sha256:</c> and 64 hex digits, or a hex prefix of one (the engine resolves it).</summary>
    [GeneratedRegex(@"\A(?:sha256:)?[0-9a-f]{1,64}\z", RegexOptions.CultureInvariant)]
    public static partial Regex ImageId();

    [GeneratedRegex(@"\A[0-9]{12}\z", RegexOptions.CultureInvariant)]
    public static partial Regex RegistryId();

    /// <summary>AWS region names: <c>us-east-1</c>, <c>cn-north-1</c>, <c>us-gov-west-1</c>, <c>us-isob-east-1</c>, <c>eusc-de-east-1</c>.</summary>
    [GeneratedRegex(@"\A[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}\z", RegexOptions.CultureInvariant)]
    public static partial Regex Region();

    /// <summary>
    /// A CI variable name that every supported CI accepts as-is: Azure Pipelines, a GitHub Actions output and
    /// environment variable, a TeamCity parameter.
    /// </summary>
    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]{0,127}\z", RegexOptions.CultureInvariant)]
    public static partial Regex OutputVariable();

    [GeneratedRegex(@"\Aarn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}\z", RegexOptions.CultureInvariant)]
    public static partial Regex RoleArn();

    /// <summary>STS's RoleSessionName: 2 to 64 of letters, digits and <c>=,.@-</c>.</summary>
    [GeneratedRegex(@"\A[\w+=,.@-]{2,64}\z", RegexOptions.CultureInvariant)]
    public static partial Regex RoleSessionName();

    /// <summary>ECR's ImageTagMutabilityExclusionFilterValue.</summary>
    [GeneratedRegex(@"\A[0-9a-zA-Z._*-]{1,128}\z", RegexOptions.CultureInvariant)]
    public static partial Regex MutabilityExclusionFilter();

    /// <summary>ECR Public's RegistryAliasName: 2 to 50 characters, a lowercase letter first, then lowercase letters and digits separated by single . _ or - (ecr-public service model).</summary>
    [GeneratedRegex(@"\A(?=.{2,50}\z)[a-z][a-z0-9]+(?:[._-][a-z0-9]+)*\z", RegexOptions.CultureInvariant)]
    public static partial Regex PublicRegistryAlias();

    /// <summary>ECR Public's RepositoryName: lowercase letters and digits separated by single . _ or -, path components joined by / (ecr-public service model).</summary>
    [GeneratedRegex(@"\A(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*\z", RegexOptions.CultureInvariant)]
    public static partial Regex PublicRepositoryName();

    /// <summary>ECR Public's RepositoryName is at most 205 characters (the private registry's: 256).</summary>
    public const int PublicRepositoryNameMaxLength = 205;

    /// <summary>An access key ID: upper-case letters and digits (AKIA…, ASIA…), 16 to 128 characters.</summary>
    [GeneratedRegex(@"\A[A-Z0-9]{16,128}\z", RegexOptions.CultureInvariant)]
    public static partial Regex AccessKeyId();
}
