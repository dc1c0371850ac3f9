namespace Ecr.Internal.Sources;

/// <summary>
/// A checked image already in ECR as the source: its repository, the tag or digest that names it, and where its
/// registry is (unset region and registry: the push's own). How many blobs copy at once when it goes to another registry.
/// </summary>
internal sealed record EcrImageSource(string RepositoryName, string? Tag, string? Digest, string? Region, string? RegistryId)
{
    public int UploadParallelism { get; init; } = ArtifactSource.DefaultUploadParallelism;

    /// <summary>The tag or digest as a registry reference: <c>1.4.2</c> or <c>sha256:…</c>.</summary>
    public string Reference => Digest ?? Tag ?? Names.DefaultTag;

    public override string ToString()
    {
        var where = (Region, RegistryId) switch
        {
            (null, null) => string.Empty,
            (_, null) => $" in {Region}",
            (null, _) => $" in registry {RegistryId}",
            _ => $" in registry {RegistryId} in {Region}",
        };
        return $"the ECR image {RepositoryName}{(Digest is null ? ":" : "@")}{Reference}{where}";
    }
}
