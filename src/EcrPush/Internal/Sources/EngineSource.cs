using System.Collections.Concurrent;
using Ecr.Internal.Destinations;
using Ecr.Internal.Docker;
using Ecr.Internal.Images;
using Ecr.Internal.Registry;

namespace Ecr.Internal.Sources;

/// <summary>
/// An image in a Docker engine. The engine pushes it into the first destination itself (it knows which of its layers
/// that registry holds, and compresses the rest); every other destination gets a copy of what landed there, registry
/// to registry, so that every destination of one push holds the same digest whatever the engine would have done (it
/// compresses per push, and mounts whatever compressed copy of a layer it met in each registry). The tags the push
/// made in the engine are removed at the end.
/// </summary>
internal sealed class EngineSource(IDockerEngine engine, EngineImageSpec reference, int parallelism, IPushLog log) : IImageSource
{
    // Removing our tags must happen even when the push was cancelled, but must not hang a build that is stopping.
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<string> _created = new();
    private readonly TaskCompletionSource<(DestinationContext Destination, string Digest)> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _reading = new(1, 1);
    private EngineImage? _image;
    private ImageGraph? _copy;

    public string Name => reference.ToString();

    public async Task<FoundImage> FindAsync(CancellationToken cancellationToken)
    {
        _image = await engine.FindImageAsync(reference, cancellationToken).ConfigureAwait(false);
        log.Information($"Found {Name}: {Names.ShortImageId(_image.Id)}");
        return new FoundImage(_image.Id, []);
    }

    public Task<WriteResult> WriteAsync(DestinationContext destination, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return destination.IsFirst ? PushAsync(destination, tags, cancellationToken) : CopyFromFirstAsync(destination, tags, cancellationToken);
    }

    /// <summary>None: an engine image has no referrers, and the first destination's (a signature ECR made there, say) are not this push's to copy.</summary>
    public Task<ImageGraph?> GraphAsync(DestinationContext destination, CancellationToken cancellationToken) => Task.FromResult<ImageGraph?>(null);

    public void Settled(int index, DestinationContext? destination, string? digest, Exception? failure)
    {
        if (index == 0)
        {
            _ = destination is not null && digest is not null
                ? _first.TrySetResult((destination, digest))
                : _first.TrySetException(failure ?? new InvalidOperationException("The first destination ended without the image."));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _first.TrySetCanceled();
        _copy?.Dispose();
        _reading.Dispose();
        if (_image is not null)
        {
            await RemoveTagsAsync(_image, [.. _created]).ConfigureAwait(false);
        }
    }

    /// <summary>Tag, push, tag by tag; a token the registry refused in the middle is replaced once and the tag pushed again.</summary>
    private async Task<WriteResult> PushAsync(DestinationContext destination, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var image = _image!;
        var landed = new List<string>();
        string? digest = null;
        foreach (var tag in tags)
        {
            var reference = $"{destination.Target}:{tag}";
            try
            {
                if (!image.RepoTags.Contains(reference, StringComparer.Ordinal))
                {
                    await engine.TagAsync(image.Id, destination.Target, tag, cancellationToken).ConfigureAwait(false);
                    _created.Enqueue(reference);
                }

                log.Information($"Pushing {reference}");
                var pushed = await PushTagAsync(destination, tag, cancellationToken).ConfigureAwait(false);
                if (digest is not null && pushed != digest)
                {
                    throw new EcrPushException($"The registry reported digest {pushed} for {reference} but {digest} for the tags before it; the image changed during the push. Push again.");
                }

                digest = pushed;
                landed.Add(tag);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || landed.Count > 0)
            {
                throw new WriteFailedException(digest, landed, exception);
            }
        }

        return new WriteResult(digest!, landed);
    }

    private async Task<string> PushTagAsync(DestinationContext destination, string tag, CancellationToken cancellationToken)
    {
        var auth = destination.Registry.Auth;
        var sent = auth.Credentials;
        try
        {
            return await engine.PushAsync(destination.Target, tag, destination.Registry.Host, sent, log, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException refused) when (refused.IsRefusedToken)
        {
            if (!await auth.RefreshAsync(sent, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            log.Verbose($"The registry {destination.Registry.Host} refused the token while the engine pushed {destination.Target}:{tag}; pushing it again with a new one");
            return await engine.PushAsync(destination.Target, tag, destination.Registry.Host, auth.Credentials, log, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What the engine put into the first destination, copied as it is: read once, written into each other destination.</summary>
    private async Task<WriteResult> CopyFromFirstAsync(DestinationContext destination, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        (DestinationContext First, string Digest) first;
        try
        {
            first = await _first.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new EcrPushException($"The image is copied to {destination.Target} from the first destination, which failed ({exception.Message.TrimEnd('.')}).", exception);
        }

        await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_copy is null)
            {
                log.Verbose($"Copying {first.First.Target}@{first.Digest} into the other destinations, so that each holds that digest");
                _copy = await RegistryImageReader.ReadAsync(first.First.Registry.Client, first.First.RegistryPath, first.Digest, includeReferrers: false, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _reading.Release();
        }

        return await destination.Writer.WriteAsync(_copy, destination.RegistryPath, tags, parallelism, cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveTagsAsync(EngineImage image, string[] created)
    {
        // An image known only by its ID has no tag of its own: removing the last of ours would delete the image
        // itself from the engine, so that one stays.
        var keep = image.RepoTags.Count == 0 && created.Length > 0 ? created[^1] : null;
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        foreach (var reference in created.Where(r => r != keep))
        {
            try
            {
                await engine.RemoveTagAsync(reference, timeout.Token).ConfigureAwait(false);
                log.Verbose($"Removed the tag {reference}");
            }
            catch (Exception exception) when (exception is EcrPushException or OperationCanceledException)
            {
                log.Warning($"Could not remove the tag {reference} from the engine ({exception.Message}); remove it with `docker rmi {reference}`.");
            }
        }

        if (keep is not null)
        {
            log.Warning($"Kept the tag {keep}: the image has no other tag, and removing the last one would delete it from the engine.");
        }
    }
}
