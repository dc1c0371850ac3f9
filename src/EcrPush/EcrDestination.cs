namespace Ecr;

/// <summary>
/// One more place to push the same image to, beside the one that <see cref="EcrPushSettings.Region"/> and
/// <see cref="EcrPushSettings.RegistryId"/> name: another region, another account's registry, or both.
/// Each destination gets its own token and repository check; all are pushed concurrently.
/// </summary>
/// <param name="Region">The AWS region, e.g. <c>eu-west-1</c>; unset: the region the push resolves for itself.</param>
/// <param name="RegistryId">The AWS account ID of the registry; unset: the caller's own.</param>
public sealed record EcrDestination(string? Region = null, string? RegistryId = null)
{
    /// <summary>Returns <c>region/registry</c>, for messages.</summary>
    public override string ToString() => $"{Region ?? "(default region)"}/{RegistryId ?? "(own registry)"}";
}
