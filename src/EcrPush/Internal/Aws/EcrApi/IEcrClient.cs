using System.Text.Json;

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// The ECR API operations a push needs, as a small seam: the real one signs JSON 1.1 calls with AWSSDK.Core,
/// the unit tests' fake answers what moto cannot (immutable repositories, throttling storms).
/// One instance serves one region, one endpoint and one set of credentials.
/// </summary>
internal interface IEcrClient
{
    /// <summary>GetAuthorizationToken for one registry (null: the caller's own account).</summary>
    Task<EcrAuthorization> GetAuthorizationAsync(string? registryId, CancellationToken cancellationToken);

    /// <summary>DescribeRepositories for one name; null when ECR answers RepositoryNotFoundException.</summary>
    Task<EcrRepository?> DescribeRepositoryAsync(string repositoryName, string? registryId, CancellationToken cancellationToken);

    /// <summary>
    /// CreateRepository. When ECR answers RepositoryAlreadyExistsException, the existing repository is returned: with
    /// Created = false when someone else created it meanwhile, with Created = true when the answer came to a retry of
    /// ours whose first attempt ECR had carried out (EcrClient.IsOurCreation says how that is told).
    /// </summary>
    Task<EcrRepository> CreateRepositoryAsync(EcrRepositoryCreation creation, CancellationToken cancellationToken);

    /// <summary>
    /// BatchGetImage for one tag or digest (<c>sha256:…</c>), every manifest and index media type accepted: the exact
    /// manifest, its media type, its digest computed from its bytes, and its config digest; null when the repository
    /// or the image is not there. Any other failure ECR reports for the image is an error.
    /// </summary>
    Task<EcrManifest?> BatchGetImageAsync(string repositoryName, string? registryId, string reference, CancellationToken cancellationToken);

    /// <summary>PutImage of these exact manifest bytes under one tag; what ECR said when the tag was there already.</summary>
    Task<EcrPutImageOutcome> PutImageAsync(string repositoryName, string? registryId, string tag, EcrManifest manifest, CancellationToken cancellationToken);

    /// <summary>PutLifecyclePolicy: for a repository this push created.</summary>
    Task PutLifecyclePolicyAsync(string repositoryName, string? registryId, string policy, CancellationToken cancellationToken);

    /// <summary>SetRepositoryPolicy: for a repository this push created.</summary>
    Task SetRepositoryPolicyAsync(string repositoryName, string? registryId, string policy, CancellationToken cancellationToken);

    /// <summary>
    /// DescribeRepositoryCreationTemplates, every page: the templates of the caller's own registry (EcrClient.Templates.cs). An identity that may
    /// not call it gets an <see cref="EcrPushException"/> whose <see cref="EcrAccessDeniedException"/> inner says so.
    /// </summary>
    Task<IReadOnlyList<EcrCreationTemplate>> DescribeRepositoryCreationTemplatesAsync(CancellationToken cancellationToken);

    /// <summary>DescribeImages of one tag or digest in any storage class (an archived image too); null when ECR knows no such image.</summary>
    Task<EcrImageStatus?> DescribeImageAsync(string repositoryName, string? registryId, string reference, CancellationToken cancellationToken);

    /// <summary>
    /// GetSigningConfiguration of the caller's own registry (managed signing; EcrClient.Signing.cs): its rules, none when it
    /// has no configuration; <see cref="EcrSigningConfiguration.Unreadable"/> when this identity may not read it.
    /// </summary>
    Task<EcrSigningConfiguration> GetSigningConfigurationAsync(CancellationToken cancellationToken);

    /// <summary>DescribeImageSigningStatus of one image by its digest: a status per signing profile; empty when there is none yet.</summary>
    Task<IReadOnlyList<EcrImageSigningStatus>> DescribeImageSigningStatusAsync(string repositoryName, string? registryId, string digest, CancellationToken cancellationToken);
}

/// <summary>A decoded authorization token. <see cref="ToString"/> never shows the password.</summary>
internal sealed record EcrAuthorization(string UserName, string Password, Uri ProxyEndpoint, DateTimeOffset ExpiresAt)
{
    /// <summary>The registry host as proxyEndpoint names it (host[:port]), never assembled by hand.</summary>
    public string RegistryHost => ProxyEndpoint.IsDefaultPort ? ProxyEndpoint.Host : $"{ProxyEndpoint.Host}:{ProxyEndpoint.Port}";

    public override string ToString() => $"EcrAuthorization {{ UserName = {UserName}, ProxyEndpoint = {ProxyEndpoint}, ExpiresAt = {ExpiresAt:O} }}";
}

internal sealed record EcrRepository(string Name, string RegistryId, string RepositoryUri, string TagMutability, bool Created)
{
    /// <summary>
    /// Where the repository is in its registry, as its URI says: <c>&lt;alias&gt;/&lt;name&gt;</c> in ECR Public, the name in a
    /// private registry (and when the URI is not known yet: a repository a creation template makes on push).
    /// </summary>
    public string RegistryPath => RepositoryUri.IndexOf('/', StringComparison.Ordinal) is var slash and > 0
        && RepositoryUri[(slash + 1)..] is var path
        && (string.Equals(path, Name, StringComparison.Ordinal) || path.EndsWith("/" + Name, StringComparison.Ordinal))
            ? path
            : Name;

    /// <summary>The prefix of the repository creation template ECR creates (or created) this repository from on the push, with <c>CREATE_ON_PUSH</c>; null otherwise.</summary>
    public string? CreatedFromTemplate { get; init; }

    /// <summary>Whether images are scanned on push; null when ECR did not say.</summary>
    public bool? ScanOnPush { get; init; }

    /// <summary><c>AES256</c>, <c>KMS</c> or <c>KMS_DSSE</c>; null when ECR did not say.</summary>
    public string? EncryptionType { get; init; }

    /// <summary>When ECR created it; null when ECR did not say.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The wildcard filters of the <c>*_WITH_EXCLUSION</c> mutabilities: tags they match take the opposite rule.</summary>
    public IReadOnlyList<string> TagMutabilityExclusionFilters { get; init; } = [];

    /// <summary>Whether ECR refuses to move <paramref name="tag"/> once it exists in this repository.</summary>
    public bool IsTagImmutable(string tag)
    {
        var excluded = TagMutabilityExclusionFilters.Any(filter => Wildcard.Matches(filter, tag));
        return TagMutability switch
        {
            "IMMUTABLE" => true,
            "IMMUTABLE_WITH_EXCLUSION" => !excluded,
            "MUTABLE_WITH_EXCLUSION" => excluded,
            _ => false,
        };
    }
}

/// <summary>An image's manifest as ECR stores it: the exact text, its media type, its digest (of those bytes), and the registry that answered.</summary>
internal sealed record EcrManifest(string Manifest, string MediaType, string Digest, string? RegistryId)
{
    public bool IsIndex => Images.MediaTypes.IsIndex(MediaType);

    /// <summary>The config digest of a single image's manifest (the image's ID in the engine); null for an index, or a manifest without one.</summary>
    public string? ConfigDigest => IsIndex ? null : ConfigDigestOf(Manifest);

    private static string? ConfigDigestOf(string manifest)
    {
        try
        {
            using var document = JsonDocument.Parse(manifest);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("config", out var config)
                && config.ValueKind == JsonValueKind.Object
                && config.TryGetProperty("digest", out var digest)
                && digest.ValueKind == JsonValueKind.String
                ? digest.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What PutImage did: put the tag, found it on this manifest already, or refused it as an immutable tag that holds another.</summary>
internal enum EcrPutImageOutcome
{
    /// <summary>The tag now holds the manifest.</summary>
    Put,

    /// <summary>ImageAlreadyExistsException: the tag held this manifest already; nothing changed.</summary>
    AlreadyThere,

    /// <summary>ImageTagAlreadyExistsException: the repository keeps its tags, and this one exists.</summary>
    TagImmutable,
}

/// <summary>What CreateRepository sends; options beyond the name apply only to a repository this push creates.</summary>
internal sealed record EcrRepositoryCreation(string RepositoryName, string? RegistryId)
{
    public bool? ScanOnPush { get; init; }

    public string? TagMutability { get; init; }

    public string? EncryptionType { get; init; }

    public string? KmsKey { get; init; }

    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    public IReadOnlyList<string>? TagMutabilityExclusionFilters { get; init; }

    /// <summary>For ECR Public: the catalog data the Gallery shows; a private registry has none.</summary>
    public PublicCatalog? Catalog { get; init; }
}

/// <summary>A repository creation template, as far as a push needs it: its prefix, what it applies for, and the mutability a repository made from it gets.</summary>
internal sealed record EcrCreationTemplate(string Prefix, IReadOnlyList<string> AppliedFor, string? TagMutability)
{
    public const string CreateOnPush = "CREATE_ON_PUSH";

    /// <summary>ECR's prefix for every repository that no other template matches.</summary>
    public const string Root = "ROOT";

    public bool AppliesOnPush => AppliedFor.Contains(CreateOnPush, StringComparer.Ordinal);

    /// <summary>
    /// Whether the template is for <paramref name="repositoryName"/>: its prefix and a <c>/</c> begin the name (ECR always
    /// assumes the <c>/</c> after a prefix: <c>prod</c> is for <c>prod/web</c>, not <c>production</c>), or it is ROOT.
    /// </summary>
    public bool Matches(string repositoryName)
        => Prefix == Root || repositoryName.StartsWith(Prefix.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>The template ECR applies to a new repository: the longest prefix that matches, else ROOT.</summary>
    public static EcrCreationTemplate? For(string repositoryName, IEnumerable<EcrCreationTemplate> templates)
        => templates.Where(t => t.Matches(repositoryName)).OrderByDescending(t => t.Prefix == Root ? -1 : t.Prefix.TrimEnd('/').Length).FirstOrDefault();
}

/// <summary>An image's status as DescribeImages gives it: <c>ACTIVE</c>, <c>ARCHIVED</c> or <c>ACTIVATING</c>, and when it last went to and came back from the archive.</summary>
internal sealed record EcrImageStatus(string Digest, string Status, DateTimeOffset? LastArchivedAt, DateTimeOffset? LastActivatedAt)
{
    public const string Active = "ACTIVE";
    public const string Archived = "ARCHIVED";
    public const string Activating = "ACTIVATING";
}

/// <summary>
/// A call ECR refused for want of an IAM permission: the operation, and the action to grant. Inner exception of the
/// <see cref="EcrPushException"/> that says so, so that a step can tell a missing permission from other failures.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1064:Exceptions should be public", Justification = "Never leaves the library on its own: always the inner exception of an EcrPushException.")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Always made with the operation.")]
internal sealed class EcrAccessDeniedException(string operation, string iamAction) : Exception($"{operation} was denied ({iamAction})")
{
    public string Operation { get; } = operation;

    public string IamAction { get; } = iamAction;
}
