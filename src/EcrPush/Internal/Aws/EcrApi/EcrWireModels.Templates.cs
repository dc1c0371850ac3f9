using System.Text.Json.Serialization;

namespace Ecr.Internal.Aws.EcrApi;

// The shapes of DescribeRepositoryCreationTemplates (creation templates, applied on push since December 2025) and of
// DescribeImages (an image's storage class status since the archive of November 2025), as named in the service model;
// only the members a push reads or sends.

internal sealed class DescribeRepositoryCreationTemplatesRequest
{
    public string? NextToken { get; init; }
}

internal sealed class DescribeRepositoryCreationTemplatesResponse
{
    public IReadOnlyList<RepositoryCreationTemplateDto>? RepositoryCreationTemplates { get; init; }

    public string? NextToken { get; init; }
}

internal sealed class RepositoryCreationTemplateDto
{
    public string? Prefix { get; init; }

    public IReadOnlyList<string>? AppliedFor { get; init; }

    public string? ImageTagMutability { get; init; }
}

internal sealed class DescribeImagesRequest
{
    public string? RegistryId { get; init; }

    public string? RepositoryName { get; init; }

    public IReadOnlyList<ImageIdentifierDto>? ImageIds { get; init; }

    public DescribeImagesFilterDto? Filter { get; init; }
}

internal sealed class DescribeImagesFilterDto
{
    /// <summary>ACTIVE, ARCHIVED, ACTIVATING or ANY; ECR lists active images only when it is not set.</summary>
    public string? ImageStatus { get; init; }
}

internal sealed class DescribeImagesResponse
{
    public IReadOnlyList<ImageDetailDto>? ImageDetails { get; init; }
}

internal sealed class ImageDetailDto
{
    public string? ImageDigest { get; init; }

    public IReadOnlyList<string>? ImageTags { get; init; }

    public string? ImageStatus { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? LastArchivedAt { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? LastActivatedAt { get; init; }
}
