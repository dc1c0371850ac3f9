using System.Text;
using System.Text.Json;
using Ecr.Internal.Images;


namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// Reading an image's exact manifest (an immutable tag's image, or the source of a promotion) and putting it under a new
/// tag (the promotion of an image already in ECR).
/// </summary>
internal sealed partial class EcrClient
{
    private const string ImageAlreadyExists = "ImageAlreadyExistsException";
    private const string ImageTagAlreadyExists = "ImageTagAlreadyExistsException";

    // Every kind of image a push writes, so that ECR hands back the manifest as it is stored, never converted.
    private static readonly string[] AllManifestMediaTypes = [MediaTypes.DockerManifest, MediaTypes.OciManifest, MediaTypes.DockerManifestList, MediaTypes.OciIndex];

    public async Task<EcrManifest?> BatchGetImageAsync(string repositoryName, string? registryId, string reference, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        ArgumentException.ThrowIfNullOrEmpty(reference);
        const string Operation = "BatchGetImage";
        var request = new BatchGetImageRequest
        {
            RegistryId = registryId,
            RepositoryName = repositoryName,
            ImageIds = [ImageIdentifierDto.Of(reference)],
            AcceptedMediaTypes = AllManifestMediaTypes,
        };
        // A missing repository holds no image either; a missing image comes back as a failure, not an error.
        var response = await CallAsync(Operation, request, EcrJsonContext.Default.BatchGetImageRequest, cancellationToken, EcrErrors.RepositoryNotFound).ConfigureAwait(false);
        if (response.ErrorCode == EcrErrors.RepositoryNotFound)
        {
            return null;
        }

        var result = Read(Operation, response, EcrJsonContext.Default.BatchGetImageResponse);
        var image = result.Images?.FirstOrDefault(static i => !string.IsNullOrEmpty(i.ImageManifest));
        if (image is null)
        {
            return result.Failures is { Count: > 0 } failures && failures[0] is { FailureCode: { } code and not "ImageNotFound" } failure
                ? throw new EcrPushException($"ECR {Operation} ({Where}) could not give the image {repositoryName}:{reference}: {code}: {failure.FailureReason}.")
                : null;
        }

        // The digest is computed here, never taken on trust: it is what a promoted image must keep, and what an
        // immutable tag is compared by.
        var digest = Sha256.Of(Encoding.UTF8.GetBytes(image.ImageManifest!));
        if (image.ImageId?.ImageDigest is { Length: > 0 } stated && !string.Equals(stated, digest, StringComparison.Ordinal))
        {
            throw new EcrPushException($"ECR {Operation} ({Where}) gave the manifest of {repositoryName}:{reference} with the digest {stated}, but its bytes are {digest}. Push again; if it repeats, copy the image by its digest.");
        }

        var mediaType = image.ImageManifestMediaType ?? MediaTypeIn(image.ImageManifest!)
            ?? throw new EcrPushException($"ECR {Operation} ({Where}) gave the manifest of {repositoryName}:{reference} without a media type, in the answer or in the manifest: it cannot be put under another tag as it is.");
        return new EcrManifest(image.ImageManifest!, mediaType, digest, image.RegistryId);
    }

    public async Task<EcrPutImageOutcome> PutImageAsync(string repositoryName, string? registryId, string tag, EcrManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        ArgumentException.ThrowIfNullOrEmpty(tag);
        ArgumentNullException.ThrowIfNull(manifest);
        const string Operation = "PutImage";
        var request = new PutImageRequest
        {
            RegistryId = registryId,
            RepositoryName = repositoryName,
            ImageTag = tag,
            ImageManifest = manifest.Manifest,
            ImageManifestMediaType = manifest.MediaType,

            // ECR checks it against the manifest it receives (ImageDigestDoesNotMatchException): the bytes arrive as they left.
            ImageDigest = manifest.Digest,
        };

        // ImageAlreadyExists: the tag holds this very manifest already (or a retried call's first attempt put it there).
        var response = await CallAsync(Operation, request, EcrJsonContext.Default.PutImageRequest, cancellationToken, ImageAlreadyExists, ImageTagAlreadyExists).ConfigureAwait(false);
        return response.ErrorCode switch
        {
            ImageAlreadyExists => EcrPutImageOutcome.AlreadyThere,
            ImageTagAlreadyExists => EcrPutImageOutcome.TagImmutable,
            _ => EcrPutImageOutcome.Put,
        };
    }

    private static string? MediaTypeIn(string manifest)
    {
        try
        {
            using var document = JsonDocument.Parse(manifest);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("mediaType", out var type) && type.ValueKind == JsonValueKind.String
                ? type.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
