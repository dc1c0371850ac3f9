namespace Ecr.Internal.Aws.EcrApi;

// The shapes of ECR's managed signing operations (November 2025), as the service model names them
// (../shared/reference/ecr/service-2.json: GetSigningConfiguration, DescribeImageSigningStatus); only the members read or sent.

/// <summary>GetSigningConfiguration takes no member: it answers for the caller's own registry.</summary>
internal sealed class GetSigningConfigurationRequest
{
}

internal sealed class GetSigningConfigurationResponse
{
    public string? RegistryId { get; init; }

    public SigningConfigurationDto? SigningConfiguration { get; init; }
}

internal sealed class SigningConfigurationDto
{
    public IReadOnlyList<SigningRuleDto>? Rules { get; init; }
}

internal sealed class SigningRuleDto
{
    public string? SigningProfileArn { get; init; }

    public IReadOnlyList<SigningRepositoryFilterDto>? RepositoryFilters { get; init; }
}

internal sealed class SigningRepositoryFilterDto
{
    public string? Filter { get; init; }

    /// <summary><c>WILDCARD_MATCH</c>, the only type there is.</summary>
    public string? FilterType { get; init; }
}

internal sealed class DescribeImageSigningStatusRequest
{
    public string? RepositoryName { get; init; }

    public ImageIdentifierDto? ImageId { get; init; }

    public string? RegistryId { get; init; }
}

internal sealed class DescribeImageSigningStatusResponse
{
    public IReadOnlyList<ImageSigningStatusDto>? SigningStatuses { get; init; }
}

internal sealed class ImageSigningStatusDto
{
    public string? SigningProfileArn { get; init; }

    public string? FailureCode { get; init; }

    public string? FailureReason { get; init; }

    /// <summary><c>IN_PROGRESS</c>, <c>COMPLETE</c> or <c>FAILED</c>.</summary>
    public string? Status { get; init; }
}
