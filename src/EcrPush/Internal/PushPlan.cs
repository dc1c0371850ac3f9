using EcrPush.Internal.Aws;

namespace EcrPush.Internal;

/// <summary>Settings after every check: what the push does, with every default filled in.</summary>
internal sealed record PushPlan(
    SourceImage Source,
    string RepositoryName,
    IReadOnlyList<string> Tags,
    bool AutoCreateRepository,
    string? OutputVariable,
    string? RegistryId,
    Uri? DockerHost,
    AwsOptions Aws);

/// <summary>The local image to push: a <c>name:tag</c> reference, or an image ID (full or a prefix).</summary>
internal sealed record SourceImage(string Reference, bool IsId)
{
    public override string ToString() => IsId ? $"image ID {Reference}" : $"image {Reference}";
}
