using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon.Runtime;

using Ecr.Internal.Aws.Runtime;

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// The real <see cref="IEcrClient"/>: ECR's JSON 1.1 API over HttpClient, signed by AWSSDK.Core (AWSSDK.ECR is
/// not used). One instance per push and destination; the HTTP stack under it is shared (see <see cref="EcrConnector"/>).
/// </summary>
internal sealed partial class EcrClient : IEcrClient
{

    private readonly EcrApiCalls _calls;

    /// <summary>The client over a transport (signing, retries, the borrowed HTTP stack), which tests build with shorter waits.</summary>
    public EcrClient(EcrApiTransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _calls = new EcrApiCalls(transport);
    }

    public EcrEndpoint Endpoint => _calls.Endpoint;

    public async Task<EcrAuthorization> GetAuthorizationAsync(string? registryId, CancellationToken cancellationToken)
    {
        const string Operation = "GetAuthorizationToken";
        var request = new GetAuthorizationTokenRequest { RegistryIds = registryId is null ? null : [registryId] };
        var response = await CallAsync(Operation, request, EcrJsonContext.Default.GetAuthorizationTokenRequest, cancellationToken).ConfigureAwait(false);
        var result = Read(Operation, response, EcrJsonContext.Default.GetAuthorizationTokenResponse);

        // One registry asked, one answer; ECR answers for the caller's own registry when none is named.
        var data = result.AuthorizationData?.FirstOrDefault(static item => item is not null)
            ?? throw new EcrPushException($"ECR {Operation} ({Where}) answered without authorization data.");
        return EcrTokenDecoder.Decode(data, Where);
    }

    public async Task<EcrRepository?> DescribeRepositoryAsync(string repositoryName, string? registryId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        const string Operation = "DescribeRepositories";
        var request = new DescribeRepositoriesRequest { RegistryId = registryId, RepositoryNames = [repositoryName] };
        var response = await CallAsync(Operation, request, EcrJsonContext.Default.DescribeRepositoriesRequest, cancellationToken, EcrErrors.RepositoryNotFound).ConfigureAwait(false);
        if (response.ErrorCode == EcrErrors.RepositoryNotFound)
        {
            return null;
        }

        var result = Read(Operation, response, EcrJsonContext.Default.DescribeRepositoriesResponse);
        var repository = result.Repositories?.FirstOrDefault(item => string.Equals(item.RepositoryName, repositoryName, StringComparison.Ordinal))
            ?? (result.Repositories is { Count: > 0 } repositories ? repositories[0] : null);
        return repository is null ? null : ToRepository(repository, repositoryName, created: false);
    }

    public async Task<EcrRepository> CreateRepositoryAsync(EcrRepositoryCreation creation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(creation);
        const string Operation = "CreateRepository";
        var started = DateTimeOffset.UtcNow;
        var response = await CallAsync(Operation, ToRequest(creation), EcrJsonContext.Default.CreateRepositoryRequest, cancellationToken, EcrErrors.RepositoryAlreadyExists).ConfigureAwait(false);
        if (response.ErrorCode == EcrErrors.RepositoryAlreadyExists)
        {
            // Someone created it between our describe and create: use theirs, as it is. Unless the answer came to a
            // retry of ours whose first attempt ECR had carried out (a timeout, a reset): then it is ours.
            var existing = await DescribeRepositoryAsync(creation.RepositoryName, creation.RegistryId, cancellationToken).ConfigureAwait(false)
                ?? throw new EcrPushException($"ECR {Operation} ({Where}) said the repository {creation.RepositoryName} already exists, but DescribeRepositories does not find it. It was probably deleted meanwhile: push again.");
            return response.Attempts > 1 && IsOurCreation(existing, creation, started) ? existing with { Created = true } : existing;
        }

        var result = Read(Operation, response, EcrJsonContext.Default.CreateRepositoryResponse);
        var repository = result.Repository ?? throw new EcrPushException($"ECR {Operation} ({Where}) answered without the repository it created.");
        return ToRepository(repository, creation.RepositoryName, created: true);
    }

    /// <summary>
    /// After a retried CreateRepository met RepositoryAlreadyExists: the repository is taken for the one our first
    /// attempt made when it was created after that attempt started (less 5 minutes, the clock skew SigV4 allows
    /// between us and ECR) and has every setting the creation asked for. Someone else's repository made in that same
    /// window with those same settings would get our policies and tags too; ECR gives no request ID on a repository
    /// to tell them apart.
    /// </summary>
    internal static bool IsOurCreation(EcrRepository existing, EcrRepositoryCreation creation, DateTimeOffset started)
        => existing.CreatedAt is { } createdAt && createdAt >= started - TimeSpan.FromMinutes(5)
            && (creation.TagMutability is null || creation.TagMutability == existing.TagMutability)
            && (creation.ScanOnPush is null || existing.ScanOnPush is null || creation.ScanOnPush == existing.ScanOnPush)
            && (ToRequest(creation).EncryptionConfiguration?.EncryptionType is not { } encryption || existing.EncryptionType is null || encryption == existing.EncryptionType);

    private string Where => _calls.Where;

    internal static CreateRepositoryRequest ToRequest(EcrRepositoryCreation creation)
    {
        // Optional settings are sent only when set, so that ECR's (and the account's) defaults apply otherwise.
        var encryptionType = creation.EncryptionType ?? (creation.KmsKey is null ? null : "KMS");
        return new CreateRepositoryRequest
        {
            RegistryId = creation.RegistryId,
            RepositoryName = creation.RepositoryName,
            ImageTagMutability = creation.TagMutability,
            ImageTagMutabilityExclusionFilters = creation.TagMutabilityExclusionFilters is { Count: > 0 } filters
                ? [.. filters.Select(static f => new MutabilityExclusionFilterDto { FilterType = "WILDCARD", Filter = f })]
                : null,
            ImageScanningConfiguration = creation.ScanOnPush is { } scan ? new ImageScanningConfigurationDto { ScanOnPush = scan } : null,
            EncryptionConfiguration = encryptionType is null ? null : new EncryptionConfigurationDto { EncryptionType = encryptionType, KmsKey = creation.KmsKey },
            Tags = creation.Tags is { Count: > 0 } tags
                ? tags.OrderBy(static pair => pair.Key, StringComparer.Ordinal).Select(static pair => new TagDto { Key = pair.Key, Value = pair.Value }).ToList()
                : null,
        };
    }

    private Task<EcrApiResponse> CallAsync<TRequest>(string operation, TRequest request, JsonTypeInfo<TRequest> requestType, CancellationToken cancellationToken, params string[] expectedErrors)
        => _calls.CallAsync(operation, request, requestType, cancellationToken, expectedErrors);

    private T Read<T>(string operation, EcrApiResponse response, JsonTypeInfo<T> type)
        where T : class
        => _calls.Read(operation, response, type);

    private static EcrRepository ToRepository(RepositoryDto repository, string requestedName, bool created)
        => new(
            repository.RepositoryName ?? requestedName,
            repository.RegistryId ?? RegistryIdFromArn(repository.RepositoryArn) ?? string.Empty,
            repository.RepositoryUri ?? string.Empty,
            repository.ImageTagMutability ?? "MUTABLE",
            created)
        {
            TagMutabilityExclusionFilters = [.. (repository.ImageTagMutabilityExclusionFilters ?? []).Select(static f => f.Filter).OfType<string>()],
            ScanOnPush = repository.ImageScanningConfiguration?.ScanOnPush,
            EncryptionType = repository.EncryptionConfiguration?.EncryptionType,
            CreatedAt = repository.CreatedAt,
        };

    /// <summary>arn:aws:ecr:us-east-1:123456789012:repository/name: the account is the fifth field.</summary>
    private static string? RegistryIdFromArn(string? arn)
    {
        var parts = arn?.Split(':');
        return parts is { Length: >= 6 } && parts[4].Length > 0 ? parts[4] : null;
    }
}
