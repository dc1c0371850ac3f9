using System.Collections.Concurrent;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Aws.Runtime;

namespace Ecr.Tests.Fakes;

/// <summary>
/// An ECR that the test shapes, in every region: repositories with their mutability and tags, token lifetimes,
/// and failures on demand. Counts the calls, so that tests can see what a push asked for.
/// </summary>
internal sealed class FakeEcr : IEcrConnector
{
    public const string Account = "123456789012";
    public const string Host = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    private int _tokenCalls;
    private int _describeCalls;
    private int _createCalls;
    private int _batchGetImageCalls;
    private int _signingConfigurationCalls;

    /// <summary>Repositories by <c>region/account/name</c>: their tag mutability and, per tag, the image there.</summary>
    public ConcurrentDictionary<string, (string Mutability, Dictionary<string, EcrManifest> Tags)> Repositories { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<EcrRepositoryCreation> Creations { get; } = new();

    public ConcurrentQueue<(string Repository, string Kind, string Policy)> Policies { get; } = new();

    public Func<DateTimeOffset> TokenExpiry { get; set; } = () => DateTimeOffset.UtcNow.AddHours(12);

    public Exception? ConnectFailure { get; set; }

    /// <summary>Awaited by each connection (its region) before it is made: a test that wants the destinations one after the other.</summary>
    public Func<string, Task>? ConnectGate { get; set; }

    /// <summary>Regions whose connection fails, as an unreachable endpoint would.</summary>
    public HashSet<string> FailingRegions { get; } = new(StringComparer.Ordinal);

    public Exception? TokenFailure { get; set; }

    public TimeSpan TokenDelay { get; set; }

    /// <summary>Awaited by each GetAuthorizationToken call (its number, from 1) before it answers.</summary>
    public Func<int, Task>? TokenGate { get; set; }

    public bool CreateRacesWithSomeoneElse { get; set; }

    public (bool? ScanOnPush, string? EncryptionType) ExistingRepositorySettings { get; set; }

    /// <summary>Manifests that BatchGetImage finds, by <c>region/account/name:reference</c> (a tag or a digest), beside the repositories' tags.</summary>
    public ConcurrentDictionary<string, EcrManifest> Manifests { get; } = new(StringComparer.Ordinal);

    /// <summary>Every PutImage: region, repository, tag, and the digest of the manifest put.</summary>
    public ConcurrentQueue<(string Region, string Repository, string Tag, string Digest)> PutImages { get; } = new();

    /// <summary>What PutImage answers for a tag; unset: the tag is put.</summary>
    public Func<string, EcrPutImageOutcome> PutImageOutcome { get; set; } = _ => EcrPutImageOutcome.Put;

    /// <summary>The registry's repository creation templates (DescribeRepositoryCreationTemplates).</summary>
    public List<EcrCreationTemplate> Templates { get; } = [];

    /// <summary>Whether DescribeRepositoryCreationTemplates is refused as AccessDeniedException.</summary>
    public bool TemplatesDenied { get; set; }

    /// <summary>A failure of DescribeRepositoryCreationTemplates other than a denial (an endpoint that does not serve it, say).</summary>
    public EcrPushException? TemplatesFailure { get; set; }

    /// <summary>What DescribeImages says of an image, by <c>region/account/name:reference</c> (a tag or a digest).</summary>
    public ConcurrentDictionary<string, EcrImageStatus> ImageStatuses { get; } = new(StringComparer.Ordinal);

    /// <summary>ECR Public's repositories by name (its registry has one region), with the creation each came from; and each creation asked for.</summary>
    public ConcurrentDictionary<string, EcrRepositoryCreation?> PublicRepositories { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<EcrRepositoryCreation> PublicCreations { get; } = new();

    /// <summary>Each ECR Public connection: the alias it was asked for.</summary>
    public ConcurrentQueue<string?> PublicConnections { get; } = new();

    /// <summary>The alias of the fake's public registry: what a public repository's URI carries when no other is asked for.</summary>
    public string PublicAlias { get; set; } = "fakealias";

    public void SetImageStatus(string repository, string reference, EcrImageStatus status, string region = "us-east-1")
        => ImageStatuses[$"{Key(region, null, repository)}:{reference}"] = status;

    /// <summary>What GetSigningConfiguration answers, in every region; unset: no configuration (ECR's SigningConfigurationNotFoundException).</summary>
    public EcrSigningConfiguration SigningConfiguration { get; set; } = EcrSigningConfiguration.None;

    /// <summary>What DescribeImageSigningStatus answers for a region, repository and digest, and the call's number for that image (from 1).</summary>
    public Func<(string Region, string Repository, string Digest, int Call), IReadOnlyList<EcrImageSigningStatus>> SigningStatuses { get; set; } = _ => [];

    /// <summary>Every DescribeImageSigningStatus: region, repository, digest.</summary>
    public ConcurrentQueue<(string Region, string Repository, string Digest)> SigningStatusCalls { get; } = new();

    public int SigningConfigurationCalls => _signingConfigurationCalls;

    public void AddManifest(string repository, string reference, EcrManifest manifest, string region = "us-east-1")
        => Manifests[$"{Key(region, null, repository)}:{reference}"] = manifest;

    public int TokenCalls => _tokenCalls;

    public int DescribeCalls => _describeCalls;

    public int CreateCalls => _createCalls;

    public int BatchGetImageCalls => _batchGetImageCalls;

    public string CacheKey { get; set; } = Guid.NewGuid().ToString();

    public static string HostOf(string region, string? registryId = null) => $"{registryId ?? Account}.dkr.ecr.{region}.amazonaws.com";

    public void AddRepository(string name, string mutability = "MUTABLE", string region = "us-east-1", Dictionary<string, EcrManifest>? tags = null)
        => Repositories[Key(region, null, name)] = (mutability, tags ?? new Dictionary<string, EcrManifest>(StringComparer.Ordinal));

    /// <summary>An image under a tag: a manifest whose digest is <paramref name="digest"/> and whose config is <paramref name="configDigest"/> (the engine's image ID).</summary>
    public static EcrManifest Image(string digest, string configDigest)
        => new($$$"""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"digest":"{{{configDigest}}}"}}""", "application/vnd.docker.distribution.manifest.v2+json", digest, Account);

    private static string Key(string region, string? registryId, string name) => $"{region}/{registryId ?? Account}/{name}";

    public async Task<EcrConnection> ConnectAsync(AwsOptions options, CancellationToken cancellationToken)
    {
        var region = options.Region ?? "us-east-1";
        if (ConnectGate is { } gate)
        {
            await gate(region).WaitAsync(cancellationToken);
        }

        if (ConnectFailure is { } failure)
        {
            throw failure;
        }

        return FailingRegions.Contains(region)
            ? throw new EcrPushException($"ECR in {region} did not answer.")
            : new EcrConnection(new Regional(this, region), region, "test", "test", new Uri($"http://ecr.{region}.test"), $"{CacheKey}|{region}") { DualStack = options.UseDualStackEndpoint == true };
    }

    public Task<EcrConnection> ConnectPublicAsync(AwsOptions options, string? registryAlias, CancellationToken cancellationToken)
    {
        PublicConnections.Enqueue(registryAlias);
        return ConnectFailure is { } failure
            ? Task.FromException<EcrConnection>(failure)
            : Task.FromResult(new EcrConnection(new Public(this, registryAlias ?? PublicAlias), "us-east-1", "test", "test", new Uri("http://ecr-public.us-east-1.test"), $"{CacheKey}|public") { DualStack = options.UseDualStackEndpoint == true });
    }

    /// <summary>ECR Public as the real client presents it: the token's registry public.ecr.aws, repositories under the alias, mutable tags.</summary>
    private sealed class Public(FakeEcr ecr, string alias) : IEcrClient
    {
        public Task<EcrAuthorization> GetAuthorizationAsync(string? registryId, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref ecr._tokenCalls);
            return Task.FromResult(new EcrAuthorization("AWS", $"public-password-{call}", new Uri("https://public.ecr.aws"), ecr.TokenExpiry()));
        }

        public Task<EcrRepository?> DescribeRepositoryAsync(string repositoryName, string? registryId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref ecr._describeCalls);
            return Task.FromResult(ecr.PublicRepositories.ContainsKey(repositoryName) ? Repository(repositoryName, created: false) : null);
        }

        public Task<EcrRepository> CreateRepositoryAsync(EcrRepositoryCreation creation, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref ecr._createCalls);
            ecr.PublicCreations.Enqueue(creation);
            return Task.FromResult(Repository(creation.RepositoryName, created: ecr.PublicRepositories.TryAdd(creation.RepositoryName, creation)));
        }

        public Task SetRepositoryPolicyAsync(string repositoryName, string? registryId, string policy, CancellationToken cancellationToken)
        {
            ecr.Policies.Enqueue((repositoryName, "public repository", policy));
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<EcrCreationTemplate>> DescribeRepositoryCreationTemplatesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<EcrCreationTemplate>>([]);

        public Task<EcrImageStatus?> DescribeImageAsync(string repositoryName, string? registryId, string reference, CancellationToken cancellationToken) => Task.FromResult<EcrImageStatus?>(null);

        public Task<EcrManifest?> BatchGetImageAsync(string repositoryName, string? registryId, string reference, CancellationToken cancellationToken) => throw new InvalidOperationException("ECR Public has no BatchGetImage.");

        public Task<EcrSigningConfiguration> GetSigningConfigurationAsync(CancellationToken cancellationToken) => Task.FromResult(EcrSigningConfiguration.None);

        public Task<IReadOnlyList<EcrImageSigningStatus>> DescribeImageSigningStatusAsync(string repositoryName, string? registryId, string digest, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<EcrImageSigningStatus>>([]);

        public Task<EcrPutImageOutcome> PutImageAsync(string repositoryName, string? registryId, string tag, EcrManifest manifest, CancellationToken cancellationToken) => throw new InvalidOperationException("ECR Public is never a source.");

        public Task PutLifecyclePolicyAsync(string repositoryName, string? registryId, string policy, CancellationToken cancellationToken) => throw new InvalidOperationException("ECR Public has no lifecycle policies.");

        private EcrRepository Repository(string name, bool created) => new(name, Account, $"public.ecr.aws/{alias}/{name}", "MUTABLE", created);
    }

    /// <summary>The client of one region, as the real connector gives one per region.</summary>
    private sealed class Regional(FakeEcr ecr, string region) : IEcrClient
    {
        public async Task<EcrAuthorization> GetAuthorizationAsync(string? registryId, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref ecr._tokenCalls);

            // What this call answers is settled when it starts; the gate holds it as long as the test says.
            var failure = ecr.TokenFailure;
            await Task.Delay(ecr.TokenDelay, cancellationToken);
            if (ecr.TokenGate is { } gate)
            {
                await gate(call);
            }

            if (failure is not null)
            {
                throw failure;
            }

            return new EcrAuthorization("AWS", $"password-{call}", new Uri($"https://{HostOf(region, registryId)}"), ecr.TokenExpiry());
        }

        public Task<EcrRepository?> DescribeRepositoryAsync(string repositoryName, string? registryId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref ecr._describeCalls);
            return Task.FromResult(ecr.Repositories.TryGetValue(Key(region, registryId, repositoryName), out var repository)
                ? Repository(repositoryName, registryId, repository.Mutability, created: false) with { ScanOnPush = ecr.ExistingRepositorySettings.ScanOnPush, EncryptionType = ecr.ExistingRepositorySettings.EncryptionType }
                : null);
        }

        public Task<EcrRepository> CreateRepositoryAsync(EcrRepositoryCreation creation, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref ecr._createCalls);
            ecr.Creations.Enqueue(creation);
            var added = ecr.Repositories.TryAdd(Key(region, creation.RegistryId, creation.RepositoryName), (creation.TagMutability ?? "MUTABLE", new Dictionary<string, EcrManifest>(StringComparer.Ordinal)));
            return Task.FromResult(Repository(creation.RepositoryName, creation.RegistryId, creation.TagMutability ?? "MUTABLE", created: added && !ecr.CreateRacesWithSomeoneElse));
        }

        public Task<EcrManifest?> BatchGetImageAsync(string repositoryName, string? registryId, string reference, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref ecr._batchGetImageCalls);
            var key = Key(region, registryId, repositoryName);
            return Task.FromResult(
                ecr.Manifests.TryGetValue($"{key}:{reference}", out var manifest) ? manifest
                : ecr.Repositories.TryGetValue(key, out var repository) && repository.Tags.TryGetValue(reference, out var image) ? image
                : null);
        }

        public Task<EcrPutImageOutcome> PutImageAsync(string repositoryName, string? registryId, string tag, EcrManifest manifest, CancellationToken cancellationToken)
        {
            var outcome = ecr.PutImageOutcome(tag);
            if (outcome == EcrPutImageOutcome.Put)
            {
                ecr.PutImages.Enqueue((region, repositoryName, tag, manifest.Digest));
            }

            return Task.FromResult(outcome);
        }

        public Task PutLifecyclePolicyAsync(string repositoryName, string? registryId, string policy, CancellationToken cancellationToken)
        {
            ecr.Policies.Enqueue((repositoryName, "lifecycle", policy));
            return Task.CompletedTask;
        }

        public Task SetRepositoryPolicyAsync(string repositoryName, string? registryId, string policy, CancellationToken cancellationToken)
        {
            ecr.Policies.Enqueue((repositoryName, "repository", policy));
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<EcrCreationTemplate>> DescribeRepositoryCreationTemplatesAsync(CancellationToken cancellationToken)
            => ecr.TemplatesFailure is { } failure ? Task.FromException<IReadOnlyList<EcrCreationTemplate>>(failure)
                : ecr.TemplatesDenied
                ? Task.FromException<IReadOnlyList<EcrCreationTemplate>>(new EcrPushException($"ECR DescribeRepositoryCreationTemplates in {region} failed: AccessDeniedException: not authorized.", new EcrAccessDeniedException("DescribeRepositoryCreationTemplates", "ecr:DescribeRepositoryCreationTemplates")))
                : Task.FromResult<IReadOnlyList<EcrCreationTemplate>>([.. ecr.Templates]);

        public Task<EcrImageStatus?> DescribeImageAsync(string repositoryName, string? registryId, string reference, CancellationToken cancellationToken)
            => Task.FromResult(ecr.ImageStatuses.TryGetValue($"{Key(region, registryId, repositoryName)}:{reference}", out var status) ? status : null);

        public Task<EcrSigningConfiguration> GetSigningConfigurationAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref ecr._signingConfigurationCalls);
            return Task.FromResult(ecr.SigningConfiguration);
        }

        public Task<IReadOnlyList<EcrImageSigningStatus>> DescribeImageSigningStatusAsync(string repositoryName, string? registryId, string digest, CancellationToken cancellationToken)
        {
            ecr.SigningStatusCalls.Enqueue((region, repositoryName, digest));
            var call = ecr.SigningStatusCalls.Count(c => c == (region, repositoryName, digest));
            return Task.FromResult(ecr.SigningStatuses((region, repositoryName, digest, call)));
        }

        private EcrRepository Repository(string name, string? registryId, string mutability, bool created)
            => new(name, registryId ?? Account, $"{HostOf(region, registryId)}/{name}", mutability, created);
    }
}
