using System.Text.Json.Serialization;

namespace Ecr.Internal.Aws.EcrApi;

// ECR Public's shapes where they differ from ECR's, as named in its service model (ecr-public 2020-10-30); only the
// members a push reads or sends. DescribeRepositories and SetRepositoryPolicy have ECR's shapes (EcrWireModels.cs).

/// <summary>GetAuthorizationToken takes nothing: the token is for every public registry the identity may reach.</summary>
internal sealed class PublicGetAuthorizationTokenRequest;

internal sealed class PublicGetAuthorizationTokenResponse
{
    /// <summary>One object, not ECR's list: ECR Public has one registry endpoint.</summary>
    public PublicAuthorizationDataDto? AuthorizationData { get; init; }
}

internal sealed class PublicAuthorizationDataDto
{
    public string? AuthorizationToken { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? ExpiresAt { get; init; }
}

internal sealed class DescribeRegistriesRequest;

internal sealed class DescribeRegistriesResponse
{
    public IReadOnlyList<PublicRegistryDto>? Registries { get; init; }
}

internal sealed class PublicRegistryDto
{
    public string? RegistryId { get; init; }

    public string? RegistryUri { get; init; }

    public IReadOnlyList<RegistryAliasDto>? Aliases { get; init; }
}

internal sealed class RegistryAliasDto
{
    public string? Name { get; init; }

    /// <summary>ACTIVE, PENDING or REJECTED.</summary>
    public string? Status { get; init; }

    public bool PrimaryRegistryAlias { get; init; }

    public bool DefaultRegistryAlias { get; init; }
}

internal sealed class PublicCreateRepositoryRequest
{
    public string? RepositoryName { get; init; }

    public PublicCatalogDataDto? CatalogData { get; init; }

    public IReadOnlyList<TagDto>? Tags { get; init; }
}

/// <summary>RepositoryCatalogDataInput: what the ECR Public Gallery shows of a repository.</summary>
internal sealed class PublicCatalogDataDto
{
    public string? Description { get; init; }

    public IReadOnlyList<string>? Architectures { get; init; }

    public IReadOnlyList<string>? OperatingSystems { get; init; }

    /// <summary>A blob: base64 in JSON 1.1.</summary>
    public string? LogoImageBlob { get; init; }

    public string? AboutText { get; init; }

    public string? UsageText { get; init; }
}
