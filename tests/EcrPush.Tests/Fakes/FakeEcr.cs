using System.Collections.Concurrent;
using EcrPush.Internal.Aws;

namespace EcrPush.Tests.Fakes;

/// <summary>
/// An ECR that the test shapes: repositories with their mutability and tags, token lifetimes, and failures on
/// demand. Counts the calls, so that tests can see what a push asked for.
/// </summary>
internal sealed class FakeEcr : IEcrClient, IEcrConnector
{
    public const string Host = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    private int _tokenCalls;
    private int _describeCalls;
    private int _createCalls;
    private int _findImageCalls;

    /// <summary>Repositories by name: their tag mutability and, per tag, the image there (manifest digest, config digest).</summary>
    public ConcurrentDictionary<string, (string Mutability, Dictionary<string, EcrImage> Tags)> Repositories { get; } = new(StringComparer.Ordinal);

    public int FindImageCalls => _findImageCalls;

    public Func<DateTimeOffset> TokenExpiry { get; set; } = () => DateTimeOffset.UtcNow.AddHours(12);

    public Exception? ConnectFailure { get; set; }

    public Exception? TokenFailure { get; set; }

    public TimeSpan TokenDelay { get; set; }

    public bool CreateRacesWithSomeoneElse { get; set; }

    public int TokenCalls => _tokenCalls;

    public int DescribeCalls => _describeCalls;

    public int CreateCalls => _createCalls;

    public string CacheKey { get; set; } = Guid.NewGuid().ToString();

    public Task<EcrConnection> ConnectAsync(AwsOptions options, CancellationToken cancellationToken)
        => ConnectFailure is { } failure
            ? Task.FromException<EcrConnection>(failure)
            : Task.FromResult(new EcrConnection(this, options.Region ?? "us-east-1", "test", "test", new Uri("http://ecr.test"), CacheKey));

    public async Task<EcrAuthorization> GetAuthorizationAsync(string? registryId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _tokenCalls);
        await Task.Delay(TokenDelay, cancellationToken);
        if (TokenFailure is { } failure)
        {
            throw failure;
        }

        return new EcrAuthorization("AWS", $"password-{_tokenCalls}", new Uri($"https://{Host}"), TokenExpiry());
    }

    public Task<EcrRepository?> DescribeRepositoryAsync(string repositoryName, string? registryId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _describeCalls);
        return Task.FromResult(Repositories.TryGetValue(repositoryName, out var repository) ? Repository(repositoryName, repository.Mutability, created: false) : null);
    }

    public Task<EcrRepository> CreateRepositoryAsync(EcrRepositoryCreation creation, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _createCalls);
        var added = Repositories.TryAdd(creation.RepositoryName, (creation.TagMutability ?? "MUTABLE", new Dictionary<string, EcrImage>(StringComparer.Ordinal)));
        return Task.FromResult(Repository(creation.RepositoryName, creation.TagMutability ?? "MUTABLE", created: added && !CreateRacesWithSomeoneElse));
    }

    public Task<EcrImage?> FindImageAsync(string repositoryName, string? registryId, string tag, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _findImageCalls);
        return Task.FromResult(Repositories.TryGetValue(repositoryName, out var repository) && repository.Tags.TryGetValue(tag, out var image) ? image : null);
    }

    private static EcrRepository Repository(string name, string mutability, bool created)
        => new(name, "123456789012", $"{Host}/{name}", mutability, created);
}
