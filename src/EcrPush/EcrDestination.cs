namespace Ecr;

/// <summary>
/// One more place to push the same image to, beside the one that <see cref="EcrPushSettings.Region"/> and
/// <see cref="EcrPushSettings.RegistryId"/> name: another region, another account's registry, or both; or Amazon ECR
/// Public (<see cref="PublicRegistry"/>). Each destination gets its own token and repository check; all are pushed concurrently.
/// </summary>
/// <param name="Region">The AWS region, e.g. <c>eu-west-1</c>; unset: the region the push resolves for itself. Not for ECR Public, which is served in us-east-1.</param>
/// <param name="RegistryId">The AWS account ID of the registry; unset: the caller's own.</param>
public sealed record EcrDestination(string? Region = null, string? RegistryId = null)
{
    /// <summary>
    /// Amazon ECR Public, <c>public.ecr.aws/&lt;alias&gt;/&lt;repository&gt;</c>, instead of a private registry; the alias is
    /// <see cref="EcrPushSettings.PublicRegistryAlias"/>, else the registry's primary alias.
    /// </summary>
    public bool PublicRegistry { get; init; }

    /// <summary>Returns <c>region/registry</c>, or <c>ECR Public</c>, for messages.</summary>
    public override string ToString() => PublicRegistry
        ? $"ECR Public{(RegistryId is null ? string.Empty : $" (registry {RegistryId})")}"
        : $"{Region ?? "(default region)"}/{RegistryId ?? "(own registry)"}";
}
