namespace Ecr.Internal.Aws.EcrApi;

// PutImage's shapes, as named in the service model; only the members the promotion sends or reads.

internal sealed class PutImageRequest
{
    public string? RegistryId { get; init; }

    public string? RepositoryName { get; init; }

    public string? ImageManifest { get; init; }

    public string? ImageManifestMediaType { get; init; }

    public string? ImageTag { get; init; }

    public string? ImageDigest { get; init; }
}
