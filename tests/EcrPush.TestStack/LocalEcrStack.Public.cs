using System.Net;

namespace Ecr.TestStack;

// ECR Public, dual-stack names, and the ECR behaviours of 2025 that the stand-in adds to moto: what tests reach and set.
public sealed partial class LocalEcrStack
{
    /// <summary>The site name of the stack's ECR Public registry, beside the regions in <see cref="Sites"/>.</summary>
    public const string PublicSite = "public";

    /// <summary>ECR Public's registry host.</summary>
    public const string PublicRegistryHostName = "public.ecr.aws";

    /// <summary>ECR Public's dual-stack registry host, as AWS documents it.</summary>
    public const string PublicDualStackHostName = "ecr-public.aws.com";

    /// <summary>The alias of the account's public registry: given to it, as ECR Public does, when its first repository is created.</summary>
    public const string PublicRegistryAlias = "stackalias";

    private readonly EcrApiState _apiState = new();
    private readonly PublicEcrApi _publicApi = new(PublicRegistryAlias);

    /// <summary>
    /// The AWS API endpoints' own names that the ECR API front also answers over TLS, at <see cref="EcrApiTlsEndPoint"/>, with a
    /// certificate of the stack's authority: ECR's IPv4 and dual-stack endpoint of each region, and ECR Public's.
    /// </summary>
    public IReadOnlyList<string> EcrApiHostNames =>
    [
        .. Regions.SelectMany(region => new[] { $"api.ecr.{region}.amazonaws.com", $"ecr.{region}.api.aws" }),
        "api.ecr-public.us-east-1.amazonaws.com",
        "ecr-public.us-east-1.api.aws",
    ];

    /// <summary>Where the ECR API front listens over TLS for <see cref="EcrApiHostNames"/>.</summary>
    public IPEndPoint EcrApiTlsEndPoint => _ecrApiGateway?.TlsEndPoint ?? throw new InvalidOperationException("The stack has not started.");

    /// <summary>Every call the stack's ECR Public API answered, in order, with the region its signature was made for.</summary>
    public IReadOnlyList<PublicApiCall> PublicApiCalls => _publicApi.Calls;

    /// <summary>
    /// Makes the ECR API refuse <paramref name="operations"/> to the access key <paramref name="accessKeyId"/> with
    /// AccessDeniedException, as ECR does for an identity without the IAM action (moto allows every call).
    /// </summary>
    /// <param name="accessKeyId">The access key ID whose calls are refused.</param>
    /// <param name="operations">The operations, e.g. <c>DescribeRepositoryCreationTemplates</c>.</param>
    public void DenyEcrApiCalls(string accessKeyId, params string[] operations)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var operation in operations)
        {
            _apiState.Deny(accessKeyId, operation);
        }
    }
}
