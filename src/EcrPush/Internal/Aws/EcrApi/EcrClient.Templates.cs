namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// What ECR does on a push by itself since 2025: a repository creation template with <c>CREATE_ON_PUSH</c> creates a missing
/// repository, and an archived image (its storage class) is neither pulled nor served until it is restored.
/// </summary>
internal sealed partial class EcrClient
{

    public async Task<IReadOnlyList<EcrCreationTemplate>> DescribeRepositoryCreationTemplatesAsync(CancellationToken cancellationToken)
    {
        const string Operation = "DescribeRepositoryCreationTemplates";
        var templates = new List<EcrCreationTemplate>();
        string? next = null;
        do
        {
            var response = await CallAsync(Operation, new DescribeRepositoryCreationTemplatesRequest { NextToken = next }, EcrJsonContext.Default.DescribeRepositoryCreationTemplatesRequest, cancellationToken).ConfigureAwait(false);
            var page = Read(Operation, response, EcrJsonContext.Default.DescribeRepositoryCreationTemplatesResponse);
            templates.AddRange((page.RepositoryCreationTemplates ?? [])
                .Where(static template => !string.IsNullOrEmpty(template.Prefix))
                .Select(static template => new EcrCreationTemplate(template.Prefix!, template.AppliedFor ?? [], template.ImageTagMutability)));
            next = string.IsNullOrEmpty(page.NextToken) || page.NextToken == next ? null : page.NextToken;
        }
        while (next is not null);

        return templates;
    }

    public async Task<EcrImageStatus?> DescribeImageAsync(string repositoryName, string? registryId, string reference, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        ArgumentException.ThrowIfNullOrEmpty(reference);
        const string Operation = "DescribeImages";
        var request = new DescribeImagesRequest
        {
            RegistryId = registryId,
            RepositoryName = repositoryName,
            ImageIds = [ImageIdentifierDto.Of(reference)],

            // Unset, ECR lists active images only; an archived one is what this asks about.
            Filter = new DescribeImagesFilterDto { ImageStatus = "ANY" },
        };
        var response = await CallAsync(Operation, request, EcrJsonContext.Default.DescribeImagesRequest, cancellationToken, EcrErrors.RepositoryNotFound, EcrErrors.ImageNotFound).ConfigureAwait(false);
        if (response.ErrorCode is not null)
        {
            return null;
        }

        var image = Read(Operation, response, EcrJsonContext.Default.DescribeImagesResponse).ImageDetails?.FirstOrDefault(static detail => !string.IsNullOrEmpty(detail.ImageDigest));
        return image is null ? null : new EcrImageStatus(image.ImageDigest!, image.ImageStatus ?? EcrImageStatus.Active, image.LastArchivedAt, image.LastActivatedAt);
    }
}
