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
    private int _findImageCalls;

    /// <summary>Repositories by <c>region/account/name</c>: their tag mutability and, per tag, the image there.</summary>
    public ConcurrentDictionary<string, (string Mutability, Dictionary<string, EcrImage> Tags)> Repositories { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<EcrRepositoryCreation> Creations { get; } = new();

    public ConcurrentQueue<(string Repository, string Kind, string Policy)> Policies { get; } = new();

    public Func<DateTimeOffset> TokenExpiry { get; set; } = () => DateTimeOffset.UtcNow.AddHours(12);

    public Exception? ConnectFailure { get; set; }

    /// <summary>Regions whose connection fails, as an unreachable endpoint would.</summary>
    public HashSet<string> FailingRegions { get; } = new(StringComparer.Ordinal);

    public Exception? TokenFailure { get; set; }

    public TimeSpan TokenDelay { get; set; }

    public bool CreateRacesWithSomeoneElse { get; set; }

    public (bool? ScanOnPush, string? EncryptionType) ExistingRepositorySettings { get; set; }

    /// <summary>Manifests that BatchGetImage finds, by <c>region/account/name:reference</c> (a tag or a digest).</summary>
    public ConcurrentDictionary<string, EcrManifest> Manifests { get; } = new(StringComparer.Ordinal);

    /// <summary>Every PutImage: region, repository, tag, and the digest of the manifest put.</summary>
    public ConcurrentQueue<(string Region, string Repository, string Tag, string Digest)> PutImages { get; } = new();

    /// <summary>What PutImage answers for a tag; unset: the tag is put.</summary>
    public Func<string, EcrPutImageOutcome> PutImageOutcome { get; set; } = _ => EcrPutImageOutcome.Put;

    public void AddManifest(string repository, string reference, EcrManifest manifest, string region = "us-east-1")
        => Manifests[$"{Key(region, null, repository)}:{reference}"] = manifest;

    public int TokenCalls => _tokenCalls;

    public int DescribeCalls => _describeCalls;

    public int CreateCalls => _createCalls;

    public int FindImageCalls => _findImageCalls;

    public string CacheKey { get; set; } = Guid.NewGuid().ToString();

    public static string HostOf(string region, string? registryId = null) => $"{registryId ?? Account}.dkr.ecr.{region}.amazonaws.com";

    public void AddRepository(string name, string mutability = "MUTABLE", string region = "us-east-1", Dictionary<string, EcrImage>? tags = null)
        => Repositories[Key(region, null, name)] = (mutability, tags ?? new Dictionary<string, EcrImage>(StringComparer.Ordinal));

    private static string Key(string region, string? registryId, string name) => $"{region}/{registryId ?? Account}/{name}";

    public Task<EcrConnection> ConnectAsync(AwsOptions options, CancellationToken cancellationToken)
    {
        var region = options.Region ?? "us-east-1";
        if (ConnectFailure is { } failure)
        {
            return Task.FromException<EcrConnection>(failure);
        }

        return FailingRegions.Contains(region)
            ? Task.FromException<EcrConnection>(new EcrPushException($"ECR in {region} did not answer."))
            : Task.FromResult(new EcrConnection(new Regional(this, region), region, "test", "test", new Uri($"http://ecr.{region}.test"), $"{CacheKey}|{region}"));
    }

    /// <summary>The client of one region, as the real connector gives one per region.</summary>
    private sealed class Regional(FakeEcr ecr, string region) : IEcrClient
    {
        public async Task<EcrAuthorization> GetAuthorizationAsync(string? registryId, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref ecr._tokenCalls);
            await Task.Delay(ecr.TokenDelay, cancellationToken);
            if (ecr.TokenFailure is { } failure)
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
            var added = ecr.Repositories.TryAdd(Key(region, creation.RegistryId, creation.RepositoryName), (creation.TagMutability ?? "MUTABLE", new Dictionary<string, EcrImage>(StringComparer.Ordinal)));
            return Task.FromResult(Repository(creation.RepositoryName, creation.RegistryId, creation.TagMutability ?? "MUTABLE", created: added && !ecr.CreateRacesWithSomeoneElse));
        }

        public Task<EcrImage?> FindImageAsync(string repositoryName, string? registryId, string tag, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref ecr._findImageCalls);
            return Task.FromResult(ecr.Repositories.TryGetValue(Key(region, registryId, repositoryName), out var repository) && repository.Tags.TryGetValue(tag, out var image) ? image : null);
        }

        public Task<EcrManifest?> GetImageAsync(string repositoryName, string? registryId, string reference, CancellationToken cancellationToken)
            => Task.FromResult(ecr.Manifests.TryGetValue($"{Key(region, registryId, repositoryName)}:{reference}", out var manifest) ? manifest : null);

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

        private EcrRepository Repository(string name, string? registryId, string mutability, bool created)
            => new(name, registryId ?? Account, $"{HostOf(region, registryId)}/{name}", mutability, created);
    }
}
