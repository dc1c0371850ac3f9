using System.Text.Json.Serialization;


namespace Ecr.Internal.Aws.EcrApi;

// The request and response shapes of the ECR operations a push calls (PutImage's in EcrWireModels.Images.cs), as named in the service model (service-2.json);
// only the members the push reads or sends. Serialized by EcrJsonContext's generated code, never by reflection.

internal sealed class GetAuthorizationTokenRequest
{
    public IReadOnlyList<string>? RegistryIds { get; init; }
}

internal sealed class GetAuthorizationTokenResponse
{
    public IReadOnlyList<AuthorizationDataDto>? AuthorizationData { get; init; }
}

internal sealed class AuthorizationDataDto
{
    public string? AuthorizationToken { get; init; }

    /// <summary>A JSON 1.1 timestamp: epoch seconds as a number (read leniently, see <see cref="EpochSecondsConverter"/>).</summary>
    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? ExpiresAt { get; init; }

    public string? ProxyEndpoint { get; init; }
}

internal sealed class DescribeRepositoriesRequest
{
    public string? RegistryId { get; init; }

    public IReadOnlyList<string>? RepositoryNames { get; init; }
}

internal sealed class DescribeRepositoriesResponse
{
    public IReadOnlyList<RepositoryDto>? Repositories { get; init; }
}

internal sealed class RepositoryDto
{
    public string? RepositoryArn { get; init; }

    public string? RegistryId { get; init; }

    public string? RepositoryName { get; init; }

    public string? RepositoryUri { get; init; }

    public string? ImageTagMutability { get; init; }

    public IReadOnlyList<MutabilityExclusionFilterDto>? ImageTagMutabilityExclusionFilters { get; init; }

    public ImageScanningConfigurationDto? ImageScanningConfiguration { get; init; }

    public EncryptionConfigurationDto? EncryptionConfiguration { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? CreatedAt { get; init; }
}

internal sealed class MutabilityExclusionFilterDto
{
    public string? FilterType { get; init; }

    public string? Filter { get; init; }
}

internal sealed class CreateRepositoryRequest
{
    public string? RegistryId { get; init; }

    public string? RepositoryName { get; init; }

    public IReadOnlyList<TagDto>? Tags { get; init; }

    public string? ImageTagMutability { get; init; }

    public IReadOnlyList<MutabilityExclusionFilterDto>? ImageTagMutabilityExclusionFilters { get; init; }

    public ImageScanningConfigurationDto? ImageScanningConfiguration { get; init; }

    public EncryptionConfigurationDto? EncryptionConfiguration { get; init; }
}

internal sealed class CreateRepositoryResponse
{
    public RepositoryDto? Repository { get; init; }
}

/// <summary>ECR's Tag shape is the one with capitalised member names.</summary>
internal sealed class TagDto
{
    [JsonPropertyName("Key")]
    public string? Key { get; init; }

    [JsonPropertyName("Value")]
    public string? Value { get; init; }
}

internal sealed class ImageScanningConfigurationDto
{
    public bool? ScanOnPush { get; init; }
}

internal sealed class EncryptionConfigurationDto
{
    public string? EncryptionType { get; init; }

    public string? KmsKey { get; init; }
}

internal sealed class PutLifecyclePolicyRequest
{
    public string? RegistryId { get; init; }

    public string? RepositoryName { get; init; }

    public string? LifecyclePolicyText { get; init; }
}

internal sealed class SetRepositoryPolicyRequest
{
    public string? RegistryId { get; init; }

    public string? RepositoryName { get; init; }

    public string? PolicyText { get; init; }
}

internal sealed class BatchGetImageRequest
{
    public string? RegistryId { get; init; }

    public string? RepositoryName { get; init; }

    public IReadOnlyList<ImageIdentifierDto>? ImageIds { get; init; }

    public IReadOnlyList<string>? AcceptedMediaTypes { get; init; }
}

internal sealed class ImageIdentifierDto
{
    public string? ImageTag { get; init; }

    public string? ImageDigest { get; init; }

    /// <summary>An image by a tag or a <c>sha256:</c> digest, as a reference names it.</summary>
    public static ImageIdentifierDto Of(string reference)
        => reference.StartsWith("sha256:", StringComparison.Ordinal) ? new() { ImageDigest = reference } : new() { ImageTag = reference };
}

internal sealed class BatchGetImageResponse
{
    public IReadOnlyList<ImageDto>? Images { get; init; }

    public IReadOnlyList<ImageFailureDto>? Failures { get; init; }
}

internal sealed class ImageDto
{
    public string? RegistryId { get; init; }

    public ImageIdentifierDto? ImageId { get; init; }

    public string? ImageManifest { get; init; }

    public string? ImageManifestMediaType { get; init; }
}

internal sealed class ImageFailureDto
{
    public string? FailureCode { get; init; }

    public string? FailureReason { get; init; }
}

/// <summary>An AWS JSON error body: the type in <c>__type</c> (or <c>code</c>), the text in <c>message</c> or <c>Message</c>.</summary>
internal sealed class AwsErrorBody
{
    [JsonPropertyName("__type")]
    public string? Type { get; init; }

    [JsonPropertyName("code")]
    public string? Code { get; init; }

    [JsonPropertyName("message")]
    public string? LowerCaseMessage { get; init; }

    [JsonPropertyName("Message")]
    public string? Message { get; init; }
}
