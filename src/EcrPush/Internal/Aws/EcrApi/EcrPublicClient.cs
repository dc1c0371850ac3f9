using Ecr.Internal.Aws.Runtime;

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// ECR Public as an <see cref="IEcrClient"/>, so that the destination step, the repository step and the immutable-tag rule
/// are the same for it as for a private registry: ECR Public's JSON 1.1 API (target prefix SpencerFrontendService, signed
/// for ecr-public in us-east-1). What differs is said here once:
/// <list type="bullet">
/// <item><description>the token's registry is <c>public.ecr.aws</c> (the answer names none: ECR Public has one);</description></item>
/// <item><description>a repository lives at <c>public.ecr.aws/&lt;alias&gt;/&lt;name&gt;</c>: the URIs this client gives carry
/// the alias the push uses (the setting, checked against DescribeRegistries; else the registry's primary alias), so that
/// the registry path the destination writes to comes from the URI, as for a private registry;</description></item>
/// <item><description>its tags are always mutable, it has no creation templates and no archive, and a repository is
/// created with its catalog data.</description></item>
/// </list>
/// </summary>
internal sealed class EcrPublicClient : IEcrClient
{
    private const string Active = "ACTIVE";

    private readonly EcrApiCalls _calls;
    private readonly string? _wantedAlias;
    private readonly IPushLog _log;
    private Task<IReadOnlyList<PublicRegistryDto>>? _registries;

    public EcrPublicClient(EcrApiTransport transport, string? wantedAlias, IPushLog log)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _calls = new EcrApiCalls(transport);
        _wantedAlias = wantedAlias;
        _log = log;
    }

    public async Task<EcrAuthorization> GetAuthorizationAsync(string? registryId, CancellationToken cancellationToken)
    {
        const string Operation = "GetAuthorizationToken";
        var response = await _calls.CallAsync(Operation, new PublicGetAuthorizationTokenRequest(), EcrJsonContext.Default.PublicGetAuthorizationTokenRequest, cancellationToken).ConfigureAwait(false);
        var data = _calls.Read(Operation, response, EcrJsonContext.Default.PublicGetAuthorizationTokenResponse).AuthorizationData;
        if (string.IsNullOrWhiteSpace(data?.AuthorizationToken))
        {
            throw new EcrPushException($"ECR Public {Operation} ({_calls.Where}) answered without an authorization token.");
        }

        var (user, password) = EcrTokenDecoder.DecodeToken(data.AuthorizationToken, $"ECR Public, {_calls.Where}");
        return new EcrAuthorization(user, password, new Uri($"https://{DualStackRegistry.PublicHost}"), data.ExpiresAt ?? DateTimeOffset.UnixEpoch);
    }

    public async Task<EcrRepository?> DescribeRepositoryAsync(string repositoryName, string? registryId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        const string Operation = "DescribeRepositories";
        var request = new DescribeRepositoriesRequest { RegistryId = registryId, RepositoryNames = [repositoryName] };
        var response = await _calls.CallAsync(Operation, request, EcrJsonContext.Default.DescribeRepositoriesRequest, cancellationToken, EcrErrors.RepositoryNotFound).ConfigureAwait(false);
        if (response.ErrorCode == EcrErrors.RepositoryNotFound)
        {
            return null;
        }

        var found = _calls.Read(Operation, response, EcrJsonContext.Default.DescribeRepositoriesResponse).Repositories?
            .FirstOrDefault(item => string.Equals(item.RepositoryName, repositoryName, StringComparison.Ordinal));
        return found is null ? null : await ToRepositoryAsync(found, repositoryName, registryId, created: false, cancellationToken).ConfigureAwait(false);
    }

    public async Task<EcrRepository> CreateRepositoryAsync(EcrRepositoryCreation creation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(creation);
        const string Operation = "CreateRepository";
        var started = DateTimeOffset.UtcNow;
        var catalog = creation.Catalog;
        var request = new PublicCreateRepositoryRequest
        {
            RepositoryName = creation.RepositoryName,
            CatalogData = catalog is null ? null : new PublicCatalogDataDto
            {
                Description = catalog.Description,
                AboutText = catalog.AboutText,
                UsageText = catalog.UsageText,
                Architectures = catalog.Architectures.Count == 0 ? null : catalog.Architectures,
                OperatingSystems = catalog.OperatingSystems.Count == 0 ? null : catalog.OperatingSystems,
                LogoImageBlob = catalog.LogoImageBase64,
            },
            Tags = creation.Tags is { Count: > 0 } tags
                ? [.. tags.OrderBy(static pair => pair.Key, StringComparer.Ordinal).Select(static pair => new TagDto { Key = pair.Key, Value = pair.Value })]
                : null,
        };

        var response = await _calls.CallAsync(Operation, request, EcrJsonContext.Default.PublicCreateRepositoryRequest, cancellationToken, EcrErrors.RepositoryAlreadyExists).ConfigureAwait(false);
        if (response.ErrorCode == EcrErrors.RepositoryAlreadyExists)
        {
            // Someone else's (a concurrent push), unless our own first attempt made it and its answer was lost.
            var existing = await DescribeRepositoryAsync(creation.RepositoryName, creation.RegistryId, cancellationToken).ConfigureAwait(false)
                ?? throw new EcrPushException($"ECR Public {Operation} ({_calls.Where}) said the repository {creation.RepositoryName} already exists, but DescribeRepositories does not find it. It was probably deleted meanwhile: push again.");
            return response.Attempts > 1 && existing.CreatedAt >= started - TimeSpan.FromMinutes(5) ? existing with { Created = true } : existing;
        }

        var repository = _calls.Read(Operation, response, EcrJsonContext.Default.CreateRepositoryResponse).Repository
            ?? throw new EcrPushException($"ECR Public {Operation} ({_calls.Where}) answered without the repository it created.");
        return await ToRepositoryAsync(repository, creation.RepositoryName, creation.RegistryId, created: true, cancellationToken).ConfigureAwait(false);
    }

    public Task SetRepositoryPolicyAsync(string repositoryName, string? registryId, string policy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        var request = new SetRepositoryPolicyRequest { RegistryId = registryId, RepositoryName = repositoryName, PolicyText = policy };
        return _calls.CallAsync("SetRepositoryPolicy", request, EcrJsonContext.Default.SetRepositoryPolicyRequest, cancellationToken);
    }

    /// <summary>ECR Public has no creation templates: a missing repository is created by the push (AutoCreateRepository) or not at all.</summary>
    public Task<IReadOnlyList<EcrCreationTemplate>> DescribeRepositoryCreationTemplatesAsync(CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<EcrCreationTemplate>>([]);

    /// <summary>ECR Public has no archive storage class: no image of it is ever archived or restored.</summary>
    public Task<EcrImageStatus?> DescribeImageAsync(string repositoryName, string? registryId, string reference, CancellationToken cancellationToken)
        => Task.FromResult<EcrImageStatus?>(null);

    /// <summary>ECR Public has no managed signing: its registry signs nothing.</summary>
    public Task<EcrSigningConfiguration> GetSigningConfigurationAsync(CancellationToken cancellationToken)
        => Task.FromResult(EcrSigningConfiguration.None);

    /// <summary>ECR Public has no managed signing: no image has a signing status.</summary>
    public Task<IReadOnlyList<EcrImageSigningStatus>> DescribeImageSigningStatusAsync(string repositoryName, string? registryId, string digest, CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<EcrImageSigningStatus>>([]);

    // ECR Public's tags are always mutable (its API has no tag mutability), so the immutable-tag rule never reads a tag; an
    // image already in ECR Public is never a source; and it has no lifecycle policies, which the settings check refuses.
    public Task<EcrManifest?> BatchGetImageAsync(string repositoryName, string? registryId, string reference, CancellationToken cancellationToken)
        => throw new InvalidOperationException("ECR Public has no BatchGetImage, and its tags are mutable: nothing asks it for an image.");

    public Task<EcrPutImageOutcome> PutImageAsync(string repositoryName, string? registryId, string tag, EcrManifest manifest, CancellationToken cancellationToken)
        => throw new InvalidOperationException("An image in ECR Public is never a source: nothing puts a manifest through its API.");

    public Task PutLifecyclePolicyAsync(string repositoryName, string? registryId, string policy, CancellationToken cancellationToken)
        => throw new InvalidOperationException("ECR Public has no lifecycle policies; the settings check refuses one with a public destination.");

    private async Task<EcrRepository> ToRepositoryAsync(RepositoryDto repository, string name, string? registryId, bool created, CancellationToken cancellationToken)
    {
        var alias = await AliasAsync(repository.RepositoryUri, registryId, cancellationToken).ConfigureAwait(false);
        return new EcrRepository(repository.RepositoryName ?? name, repository.RegistryId ?? registryId ?? string.Empty, $"{DualStackRegistry.PublicHost}/{alias}/{repository.RepositoryName ?? name}", "MUTABLE", created)
        {
            CreatedAt = repository.CreatedAt,
        };
    }

    /// <summary>
    /// The alias of the repository's URI: the setting, which must be an active alias of the caller's public registry; else
    /// the registry's primary alias (its default one until the owner sets another); else, for a registry that had none
    /// until this push created its first repository, or for another account's registry, the alias ECR's URI names.
    /// </summary>
    private async Task<string> AliasAsync(string? repositoryUri, string? registryId, CancellationToken cancellationToken)
    {
        var inUri = AliasIn(repositoryUri);
        var registries = await RegistriesAsync(cancellationToken).ConfigureAwait(false);
        var own = registries.Count > 0 ? registries[0] : null;
        var isOwn = registryId is null || own is null || string.Equals(own.RegistryId, registryId, StringComparison.Ordinal);
        var active = isOwn ? (own?.Aliases ?? []).Where(static a => a.Status == Active && !string.IsNullOrEmpty(a.Name)).ToList() : [];
        if (_wantedAlias is { } wanted)
        {
            if (active.Any(a => a.Name == wanted) || (!isOwn && inUri == wanted))
            {
                return wanted;
            }

            var theirs = active.Count == 0
                ? isOwn ? "it has none yet: ECR Public gives a registry its default alias when its first repository is created" : $"that registry's repositories are under {inUri ?? "an alias ECR Public did not name"}"
                : $"its active aliases: {string.Join(", ", active.Select(a => a.PrimaryRegistryAlias ? $"{a.Name} (primary)" : a.Name))}";
            throw new EcrPushException($"PublicRegistryAlias '{wanted}' is not an active alias of the public registry {registryId ?? own?.RegistryId ?? "of these credentials"} ({theirs}). A push goes into a repository of that registry, under one of its own aliases: public.ecr.aws/{wanted}/… belongs to another account, or the alias is not approved yet. Set PublicRegistryAlias to one of the registry's aliases, or reset it to push under the primary one.");
        }

        var chosen = active.FirstOrDefault(static a => a.PrimaryRegistryAlias) ?? active.FirstOrDefault(static a => a.DefaultRegistryAlias) ?? active.FirstOrDefault();
        return chosen?.Name ?? inUri
            ?? throw new EcrPushException($"The ECR Public registry {registryId ?? own?.RegistryId ?? "of these credentials"} has no active alias, and ECR Public named none for the repository ({repositoryUri ?? "no URI"}): a push needs one for public.ecr.aws/<alias>/<repository>. Wait until the registry's alias is approved (the ECR console, Public registry settings), or set PublicRegistryAlias to an active one.");
    }

    /// <summary>The caller's public registry with its aliases, asked once per client (DescribeRegistries, first page: there is one).</summary>
    private Task<IReadOnlyList<PublicRegistryDto>> RegistriesAsync(CancellationToken cancellationToken)
        => _registries ??= DescribeRegistriesAsync(cancellationToken);

    private async Task<IReadOnlyList<PublicRegistryDto>> DescribeRegistriesAsync(CancellationToken cancellationToken)
    {
        const string Operation = "DescribeRegistries";
        var response = await _calls.CallAsync(Operation, new DescribeRegistriesRequest(), EcrJsonContext.Default.DescribeRegistriesRequest, cancellationToken).ConfigureAwait(false);
        var registries = _calls.Read(Operation, response, EcrJsonContext.Default.DescribeRegistriesResponse).Registries ?? [];
        _log.Verbose($"ECR Public registry {string.Join("; ", registries.Select(r => $"{r.RegistryId}: {string.Join(", ", (r.Aliases ?? []).Select(a => $"{a.Name} {a.Status}{(a.PrimaryRegistryAlias ? " primary" : string.Empty)}"))}"))}");
        return registries;
    }

    /// <summary>public.ecr.aws/&lt;alias&gt;/&lt;name&gt;: the alias is the URI's first path segment.</summary>
    private static string? AliasIn(string? repositoryUri)
    {
        var parts = repositoryUri?.Split('/');
        return parts is { Length: >= 3 } && parts[1].Length > 0 ? parts[1] : null;
    }
}
