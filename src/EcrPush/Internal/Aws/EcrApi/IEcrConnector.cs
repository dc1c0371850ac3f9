using Ecr.Internal.Aws.Runtime;

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// Turns the AWS options into a ready ECR client: region, credentials and endpoint resolved, each with the
/// place it came from for the log. A seam so that unit tests can hand the engine a fake ECR.
/// </summary>
internal interface IEcrConnector
{
    Task<EcrConnection> ConnectAsync(AwsOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// A client of ECR Public (us-east-1, whatever the options' region), the same <see cref="IEcrClient"/> as a private
    /// registry's: its repositories' URIs carry <paramref name="registryAlias"/> when set (an active alias of the caller's
    /// public registry), else the registry's primary alias.
    /// </summary>
    Task<EcrConnection> ConnectPublicAsync(AwsOptions options, string? registryAlias, CancellationToken cancellationToken);
}

/// <summary>A resolved client. <see cref="CacheKey"/> identifies endpoint and identity (never a secret) for the token cache.</summary>
internal sealed record EcrConnection(IEcrClient Client, string Region, string RegionSource, string CredentialSource, Uri Endpoint, string CacheKey)
{
    /// <summary>Whether the registry is reached by its dual-stack host (and the API by its dual-stack endpoint).</summary>
    public bool DualStack { get; init; }
}
