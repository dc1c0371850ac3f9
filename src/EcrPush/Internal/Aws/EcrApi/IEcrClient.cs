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
}
