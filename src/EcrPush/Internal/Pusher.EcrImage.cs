using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Ci;
using Ecr.Internal.Docker;
using Ecr.Internal.Registry;
using Ecr.Internal.Sources;

namespace Ecr.Internal;

/// <summary>
/// The push of an image already in ECR (promote, retag, copy; issue 13): the same steps as the other sources
/// (repository, token, immutable tags, destinations, result, output variable). Into the same repository of the same
/// registry, each new tag is a PutImage of the exact manifest that BatchGetImage gave; anywhere else, the image is
/// copied registry to registry. The digest stays the same either way. No engine is contacted.
/// </summary>
internal sealed partial class Pusher
{
    private async Task<EcrPushResult> PushEcrImageAsync(PushPlan plan, EcrImageSource source, CiService ci, CancellationToken cancellationToken)
    {
        var stopwatch = StartLog(plan, source);
#pragma warning disable CA2025 // Every task that uses the client is awaited before it is disposed.
        using var http = CreateRegistryHttpClient(plan);

        // The source is found before any destination is touched: a missing image creates no repository anywhere.
        var sourceTask = Task.Run(() => FindEcrImageAsync(plan, source, cancellationToken), cancellationToken);
        var copySource = new Lazy<Task<(ImageCopier Copier, RemoteImage Image)>>(() => ReadForCopyAsync(http, sourceTask, source, ci, cancellationToken));
        var pushes = plan.Destinations.Select(destination => Task.Run(() => PushEcrImageToDestinationAsync(http, sourceTask, copySource, plan, source, destination, ci, cancellationToken), cancellationToken)).ToList();
#pragma warning restore CA2025
        try
        {
            await AwaitDestinationsAsync(plan, pushes, sourceTask).ConfigureAwait(false);
        }
        finally
        {
            if (copySource.IsValueCreated)
            {
                // The copy's reads must be over before the HttpClient goes; their failure was reported by the destinations.
                await ((Task)copySource.Value).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }

        return Finish(plan, pushes, ci, stopwatch);
    }

    /// <summary>The source through its own region's and account's ECR API: its exact manifest, or an error that says what is missing.</summary>
    private async Task<EcrSourceImage> FindEcrImageAsync(PushPlan plan, EcrImageSource source, CancellationToken cancellationToken)
    {
        var connection = await connector.ConnectAsync(plan.Aws with { Region = source.Region ?? plan.Aws.Region }, cancellationToken).ConfigureAwait(false);
        var registryId = source.RegistryId ?? plan.Destinations[0].RegistryId;
        var manifest = await connection.Client.BatchGetImageAsync(source.RepositoryName, registryId, source.Reference, cancellationToken).ConfigureAwait(false);
        if (manifest is null)
        {
            var registry = registryId is null ? "the account's registry" : $"registry {registryId}";
            var repository = await connection.Client.DescribeRepositoryAsync(source.RepositoryName, registryId, cancellationToken).ConfigureAwait(false);
            throw new EcrPushException(repository is null
                ? $"The source repository {source.RepositoryName} does not exist in {registry} in {connection.Region}: check SourceRepositoryName, SourceRegion and SourceRegistryId. Nothing was pushed."
                : $"The source image {source.RepositoryName}{(source.Digest is null ? ":" : "@")}{source.Reference} is not in {repository.RepositoryUri} ({connection.Region}): no image has that {(source.Digest is null ? "tag" : "digest")}. Check {(source.Digest is null ? "SourceImageTag" : "SourceImageDigest")} (aws ecr list-images --repository-name {source.RepositoryName} lists them). Nothing was pushed.");
        }

        log.Information($"Found {source}: {manifest.Digest} ({manifest.MediaType})");
        return new EcrSourceImage(connection, registryId, manifest);
    }

    private async Task<(ImageCopier Copier, RemoteImage Image)> ReadForCopyAsync(HttpClient http, Task<EcrSourceImage> sourceTask, EcrImageSource source, CiService ci, CancellationToken cancellationToken)
    {
        var found = await sourceTask.ConfigureAwait(false);
        var token = await tokens.GetAsync(found.Connection, found.RequestedRegistryId, cancellationToken).ConfigureAwait(false);
        ci.MaskSecret(token.Password, log);
        var client = new RegistryClient(http, token.RegistryHost, token.UserName, token.Password, DockerEngine.ReadInactivityTimeout(environment));
        var copier = new ImageCopier(client, source.RepositoryName, log);

        // Read by the digest the ECR API gave, so that the copy is of that very image even if the tag moves meanwhile.
        var image = await copier.ReadAsync(found.Manifest.Digest, cancellationToken).ConfigureAwait(false);
        return (copier, image);
    }

    private async Task<EcrPushedImage> PushEcrImageToDestinationAsync(HttpClient http, Task<EcrSourceImage> sourceTask, Lazy<Task<(ImageCopier Copier, RemoteImage Image)>> copySource, PushPlan plan, EcrImageSource source, EcrDestination destination, CiService ci, CancellationToken cancellationToken)
    {
        // A missing source image must not leave a repository behind: the repository waits for the source to be found.
        var (connection, found, token, repository) = await OpenDestinationAsync(plan, destination, sourceTask, repositoryAfter: sourceTask, ci, cancellationToken).ConfigureAwait(false);

        var manifest = found.Manifest;
        var target = $"{token.RegistryHost}/{plan.RepositoryName}";
        string digest;
        IReadOnlyList<(string Platform, string Digest)> platforms;
        try
        {
            // An image's identity in ECR: its config digest (the engine's image ID) for a manifest, its own digest for an index.
            var identity = new LocalImage(manifest.ConfigDigest ?? manifest.Digest, []);
            var alreadyThere = await CheckImmutableTagsAsync(connection, plan, destination.RegistryId, repository, identity, cancellationToken).ConfigureAwait(false);
            var tags = plan.Tags.Where(t => !alreadyThere.ContainsKey(t)).ToList();
            if (IsSameRepository(found, source, connection, destination, repository, plan))
            {
                log.Information($"{source} is in {repository.RepositoryUri} already: tagging it with PutImage, no blob moves");
                await PutTagsAsync(connection, plan, destination, repository, manifest, tags, cancellationToken).ConfigureAwait(false);
                digest = manifest.Digest;
                platforms = manifest.IsIndex ? ImageCopier.PlatformsOf(System.Text.Encoding.UTF8.GetBytes(manifest.Manifest)) : [];
            }
            else
            {
                var (copier, image) = await copySource.Value.ConfigureAwait(false);
                var client = new RegistryClient(http, token.RegistryHost, token.UserName, token.Password, DockerEngine.ReadInactivityTimeout(environment));
                digest = tags.Count == 0
                    ? manifest.Digest
                    : await copier.CopyAsync(image, client, plan.RepositoryName, tags, source.UploadParallelism, cancellationToken).ConfigureAwait(false);
                platforms = [.. image.Children.Select(c => (c.Platform ?? "unknown/unknown", c.Digest))];
            }
        }
        catch (EcrPushException exception) when (repository.Created)
        {
            throw CreatedRepositoryStays(exception, repository);
        }

        return Pushed(plan, destination, connection, repository, target, digest) with
        {
            Platforms = [.. platforms.Select(p => new EcrPushedPlatform(p.Platform, p.Digest))],
        };
    }

    /// <summary>
    /// The same repository of the same registry (region and account): the image is there, so a new tag needs no blob.
    /// An unnamed registry is the caller's own on both sides; the account ECR reports settles any doubt.
    /// </summary>
    private static bool IsSameRepository(EcrSourceImage found, EcrImageSource source, EcrConnection connection, EcrDestination destination, EcrRepository repository, PushPlan plan)
    {
        var sourceAccount = found.Manifest.RegistryId ?? found.RequestedRegistryId;
        var destinationAccount = repository.RegistryId is { Length: > 0 } known ? known : destination.RegistryId;
        var sameAccount = sourceAccount is not null && destinationAccount is not null
            ? string.Equals(sourceAccount, destinationAccount, StringComparison.Ordinal)
            : found.RequestedRegistryId == destination.RegistryId;
        return sameAccount
            && string.Equals(found.Connection.Region, connection.Region, StringComparison.Ordinal)
            && string.Equals(source.RepositoryName, plan.RepositoryName, StringComparison.Ordinal);
    }

    private async Task PutTagsAsync(EcrConnection connection, PushPlan plan, EcrDestination destination, EcrRepository repository, EcrManifest manifest, List<string> tags, CancellationToken cancellationToken)
    {
        var done = new List<string>();
        foreach (var tag in tags)
        {
            var outcome = await connection.Client.PutImageAsync(plan.RepositoryName, destination.RegistryId, tag, manifest, cancellationToken).ConfigureAwait(false);
            switch (outcome)
            {
                case EcrPutImageOutcome.AlreadyThere:
                    log.Information($"{repository.RepositoryUri}:{tag} holds this image ({manifest.Digest}) already: nothing to do");
                    break;
                case EcrPutImageOutcome.TagImmutable:
                    throw new EcrPushException(
                        $"ECR refused the tag {tag} in the repository {repository.RepositoryUri} (ImageTagAlreadyExistsException): the tag exists and the repository's tags are immutable ({repository.TagMutability}), so it cannot be moved to {manifest.Digest}. " +
                        $"{(done.Count == 0 ? "No tag was put." : $"Tagged before it: {string.Join(", ", done)}.")} Promote under a new tag (a version or build number), or remove {tag} from TargetTags.");
                default:
                    done.Add(tag);
                    log.Information($"Tagged {repository.RepositoryUri}:{tag} ({manifest.Digest})");
                    break;
            }
        }
    }
}

/// <summary>The source image as its region's ECR API gave it, with the connection and the registry asked (null: the caller's own).</summary>
internal sealed record EcrSourceImage(EcrConnection Connection, string? RequestedRegistryId, EcrManifest Manifest);
