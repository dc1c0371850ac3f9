using System.Text;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Aws.Runtime;
using Ecr.Internal.Destinations;
using Ecr.Internal.Images;
using Ecr.Internal.Registry;

namespace Ecr.Internal.Sources;

/// <summary>
/// An image already in ECR (a promotion, a retag, a copy), found through its own region's and account's ECR API. Into
/// its own repository each new tag is a PutImage of the exact manifest BatchGetImage gave, and no blob moves; into any
/// other repository, region or account the image is read from its registry once and written by the writer, as it is,
/// so that its digest never changes. No engine is contacted.
/// </summary>
internal sealed class EcrSource(EcrImageSpec source, AwsOptions aws, string? defaultRegistryId, IEcrConnector connector, RegistryAccess registries, IPushLog log) : IImageSource
{
    private readonly SemaphoreSlim _reading = new(1, 1);
    private EcrConnection? _connection;
    private string? _registryId;
    private EcrManifest? _manifest;
    private ImageGraph? _image;

    public string Name => source.ToString();

    public async Task<FoundImage> FindAsync(CancellationToken cancellationToken)
    {
        var connection = await connector.ConnectAsync(aws with { Region = source.Region ?? aws.Region }, cancellationToken).ConfigureAwait(false);
        var registryId = source.RegistryId ?? defaultRegistryId;
        var manifest = await connection.Client.BatchGetImageAsync(source.RepositoryName, registryId, source.Reference, cancellationToken).ConfigureAwait(false);
        if (manifest is null)
        {
            var registry = registryId is null ? "the account's registry" : $"registry {registryId}";
            var repository = await connection.Client.DescribeRepositoryAsync(source.RepositoryName, registryId, cancellationToken).ConfigureAwait(false);
            var what = source.Digest is null ? "tag" : "digest";
            if (repository is not null && await ArchivedAsync(connection, registryId, repository, cancellationToken).ConfigureAwait(false) is { } archived)
            {
                throw archived;
            }

            throw new EcrPushException(repository is null
                ? $"The source repository {source.RepositoryName} does not exist in {registry} in {connection.Region}: check SourceRepositoryName, SourceRegion and SourceRegistryId."
                : $"The source image {source.RepositoryName}{(source.Digest is null ? ":" : "@")}{source.Reference} is not in {repository.RepositoryUri} ({connection.Region}): no image has that {what}. Check {(source.Digest is null ? "SourceImageTag" : "SourceImageDigest")} (aws ecr list-images --repository-name {source.RepositoryName} lists them).");
        }

        (_connection, _registryId, _manifest) = (connection, registryId, manifest);
        log.Information($"Found {Name}: {manifest.Digest} ({manifest.MediaType})");
        var bytes = Encoding.UTF8.GetBytes(manifest.Manifest);
        return new FoundImage(manifest.ConfigDigest ?? manifest.Digest, manifest.IsIndex ? ManifestJson.PlatformsOf(bytes) : []);
    }

    public async Task<WriteResult> WriteAsync(DestinationContext destination, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (await IsSameRepositoryAsync(destination, cancellationToken).ConfigureAwait(false))
        {
            log.Information($"{Name} is in {destination.Target} already: tagging it with PutImage, no blob moves");
            return await PutTagsAsync(destination, tags, cancellationToken).ConfigureAwait(false);
        }

        var image = await ReadOnceAsync(cancellationToken).ConfigureAwait(false);
        return await destination.Writer.WriteAsync(image, destination.RegistryPath, tags, source.UploadParallelism, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The image as read from its registry, with its referrers; none into its own repository, where they are already.</summary>
    public async Task<ImageGraph?> GraphAsync(DestinationContext destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return await IsSameRepositoryAsync(destination, cancellationToken).ConfigureAwait(false) ? null : await ReadOnceAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Settled(int index, DestinationContext? destination, string? digest, Exception? failure)
    {
    }

    public ValueTask DisposeAsync()
    {
        _image?.Dispose();
        _reading.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The same repository of the same registry: the image is there, so a new tag needs no blob. The registry is told by its
    /// host as the tokens name it (account, region, private or ECR Public), the repository by its path there.
    /// </summary>
    private async Task<bool> IsSameRepositoryAsync(DestinationContext destination, CancellationToken cancellationToken)
    {
        var registry = await registries.OpenAsync(_connection!, _registryId, cancellationToken).ConfigureAwait(false);
        return string.Equals($"{registry.Host}/{source.RepositoryName}", destination.Target, StringComparison.OrdinalIgnoreCase)
            && string.Equals(source.RepositoryName, destination.RegistryPath, StringComparison.Ordinal);
    }

    /// <summary>
    /// Why BatchGetImage found no image that the repository lists: ECR archived it (its archive storage class, November 2025),
    /// and serves an archived image to no pull and no copy until it is restored. Null when the image is not archived, or
    /// when ECR does not say (the message for a missing image stands then).
    /// </summary>
    private async Task<EcrPushException?> ArchivedAsync(EcrConnection connection, string? registryId, EcrRepository repository, CancellationToken cancellationToken)
    {
        EcrImageStatus? image;
        try
        {
            image = await connection.Client.DescribeImageAsync(source.RepositoryName, registryId, source.Reference, cancellationToken).ConfigureAwait(false);
        }
        catch (EcrPushException exception)
        {
            log.Verbose($"Could not ask ECR whether {Name} is archived: {exception.Message}");
            return null;
        }

        var reference = $"{repository.RepositoryUri}{(source.Digest is null ? ":" : "@")}{source.Reference}";
        var restore = $"aws ecr update-image-storage-class --repository-name {source.RepositoryName} --image-id imageDigest={image?.Digest} --target-storage-class STANDARD --region {connection.Region}{(registryId is null ? string.Empty : $" --registry-id {registryId}")}";
        return image?.Status switch
        {
            EcrImageStatus.Archived => new EcrPushException($"The source image {reference} ({image.Digest}) is archived{(image.LastArchivedAt is { } at ? $" (since {at:yyyy-MM-dd HH:mm} UTC)" : string.Empty)}: ECR serves an archived image to no pull and no copy. Restore it to the standard storage class first ({restore}, or Restore in the ECR console; ECR takes up to 20 minutes, the image is ACTIVATING meanwhile), then promote it again."),
            EcrImageStatus.Activating => new EcrPushException($"The source image {reference} ({image.Digest}) is being restored from ECR's archive (ACTIVATING): ECR serves it once the restore is done, within about 20 minutes. Promote it again then (aws ecr describe-images --repository-name {source.RepositoryName} --image-ids imageDigest={image.Digest} shows its status)."),
            _ => null,
        };
    }

    /// <summary>Each tag a PutImage of the exact manifest; ECR's refusal of an immutable tag is the registry's TAG_INVALID, as on every other path.</summary>
    private async Task<WriteResult> PutTagsAsync(DestinationContext destination, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var manifest = _manifest!;
        var landed = new List<string>();
        try
        {
            foreach (var tag in tags)
            {
                var outcome = await destination.Connection.Client.PutImageAsync(destination.RepositoryName, destination.Destination.RegistryId, tag, manifest, cancellationToken).ConfigureAwait(false);
                if (outcome == EcrPutImageOutcome.TagImmutable)
                {
                    throw new RegistryException(RegistryErrorCode.TagInvalid, destination.Registry.Host, $"ECR refused the tag {tag} in the repository {destination.Target} (PutImage: ImageTagAlreadyExistsException): the tag exists and the repository's tags are immutable. Promote under a new tag (a version or build number), or remove {tag} from TargetTags.");
                }

                landed.Add(tag);
                log.Information(outcome == EcrPutImageOutcome.AlreadyThere
                    ? $"{destination.Target}:{tag} holds this image ({manifest.Digest}) already: nothing to do"
                    : $"Tagged {destination.Target}:{tag} ({manifest.Digest})");
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || landed.Count > 0)
        {
            throw new WriteFailedException(manifest.Digest, landed, exception);
        }

        return new WriteResult(manifest.Digest, landed);
    }

    /// <summary>The image as its registry holds it, read by the digest the ECR API gave (so that a tag moved meanwhile changes nothing), once for every destination.</summary>
    private async Task<ImageGraph> ReadOnceAsync(CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_image is null)
            {
                var registry = await registries.OpenAsync(_connection!, _registryId, cancellationToken).ConfigureAwait(false);
                _image = await RegistryImageReader.ReadAsync(registry.Client, source.RepositoryName, _manifest!.Digest, source.IncludeReferrers, cancellationToken).ConfigureAwait(false);
            }

            return _image;
        }
        finally
        {
            _reading.Release();
        }
    }
}
