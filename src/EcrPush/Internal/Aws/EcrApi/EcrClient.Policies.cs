namespace Ecr.Internal.Aws.EcrApi;

/// <summary>The policy calls, made only for a repository the push created.</summary>
internal sealed partial class EcrClient
{
    public async Task PutLifecyclePolicyAsync(string repositoryName, string? registryId, string policy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        var request = new PutLifecyclePolicyRequest { RegistryId = registryId, RepositoryName = repositoryName, LifecyclePolicyText = policy };
        // Any answer but success throws inside CallAsync; the response body (the policy echoed back) is not needed.
        _ = await CallAsync("PutLifecyclePolicy", request, EcrJsonContext.Default.PutLifecyclePolicyRequest, cancellationToken).ConfigureAwait(false);
    }

    public async Task SetRepositoryPolicyAsync(string repositoryName, string? registryId, string policy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        var request = new SetRepositoryPolicyRequest { RegistryId = registryId, RepositoryName = repositoryName, PolicyText = policy };
        _ = await CallAsync("SetRepositoryPolicy", request, EcrJsonContext.Default.SetRepositoryPolicyRequest, cancellationToken).ConfigureAwait(false);
    }
}
