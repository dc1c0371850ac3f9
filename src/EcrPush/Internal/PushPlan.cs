using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Aws.Runtime;

namespace Ecr.Internal;

/// <summary>Settings after every check: what the push does, with every default filled in.</summary>
internal sealed record PushPlan(
    Sources.SourceSpec Source,
    string RepositoryName,
    IReadOnlyList<string> Tags,
    bool AutoCreateRepository,
    RepositoryOptions RepositoryOptions,
    string? OutputVariable,
    IReadOnlyList<EcrDestination> Destinations,
    Uri? DockerHost,
    AwsOptions Aws)
{
    /// <summary>How to reach the engine beyond its endpoint: TLS, a context, whether plain TCP to another machine is refused.</summary>
    public EngineOptions Engine { get; init; } = new();

    /// <summary>For the ECR Public destinations: the alias the settings ask for; null for the registry's primary one.</summary>
    public string? PublicRegistryAlias { get; init; }

    /// <summary>The files to attach, and whether to wait for ECR's managed signing.</summary>
    public ReferrerPlan Referrers { get; init; } = ReferrerPlan.None;
}

/// <summary>The files to attach to the image (each checked, with its digest), and whether and how long to wait for ECR's managed signing.</summary>
internal sealed record ReferrerPlan(IReadOnlyList<Images.AttachedFile> Attachments, bool WaitForSigning, TimeSpan SigningTimeout)
{
    public static TimeSpan DefaultSigningTimeout { get; } = TimeSpan.FromMinutes(5);

    public static ReferrerPlan None { get; } = new([], WaitForSigning: false, DefaultSigningTimeout);
}

/// <summary>The engine settings besides DockerHost; each unset one falls back to the Docker CLI's variables.</summary>
internal sealed record EngineOptions(bool? TlsVerify = null, string? CertPath = null, string? Context = null, bool RequireTls = false);

/// <summary>What a repository this push creates is given; policies already read from their files.</summary>
internal sealed record RepositoryOptions
{
    public bool? ScanOnPush { get; init; }

    public string? TagMutability { get; init; }

    public IReadOnlyList<string> TagMutabilityExclusionFilters { get; init; } = [];

    public string? EncryptionType { get; init; }

    public string? KmsKey { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public string? LifecyclePolicy { get; init; }

    public string? RepositoryPolicy { get; init; }

    /// <summary>For an ECR Public repository the push creates: its catalog data; null when none is set.</summary>
    public PublicCatalog? Catalog { get; init; }

    public bool IsEmpty => ScanOnPush is null && TagMutability is null && TagMutabilityExclusionFilters.Count == 0 && EncryptionType is null
        && KmsKey is null && Tags.Count == 0 && LifecyclePolicy is null && RepositoryPolicy is null;
}

/// <summary>
/// The catalog data of an ECR Public repository (what the Amazon ECR Public Gallery shows): checked against ECR Public's
/// limits, the logo already read from its file (base64, as the API takes it).
/// </summary>
internal sealed record PublicCatalog(string? Description, string? AboutText, string? UsageText, IReadOnlyList<string> Architectures, IReadOnlyList<string> OperatingSystems, string? LogoImageBase64);
