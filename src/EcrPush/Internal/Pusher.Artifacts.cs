using System.Diagnostics;
using System.Globalization;
using Ecr.Internal.Ci;
using Ecr.Internal.Docker;
using Ecr.Internal.Registry;
using Ecr.Internal.Sources;

namespace Ecr.Internal;

/// <summary>
/// The push of an image from an OCI layout or an image archive: the same steps as the engine's (repository, token,
/// immutable tags, destinations, result, output variable), with the image read from disk and uploaded by the
/// registry client instead of tagged and pushed by an engine. No engine is contacted.
/// </summary>
internal sealed partial class Pusher
{
    /// <summary>
    /// Changes the registry's HTTP handler before use. Only the integration tests set it, to send the registry host's
    /// connections to the stand-in's loopback address and trust its authority; requests keep the real host name.
    /// </summary>
    public Action<SocketsHttpHandler>? ConfigureRegistryHandler { get; init; }

    private async Task<EcrPushResult> PushArtifactAsync(PushPlan plan, ArtifactSource artifact, CiService ci, CancellationToken cancellationToken)
    {
        var stopwatch = StartLog(plan, artifact);
#pragma warning disable CA2025 // Every task that uses the client is awaited before it is disposed.
        using var http = CreateRegistryHttpClient(plan);

        var imageTask = Task.Run(() => OpenArtifactAsync(artifact, cancellationToken), cancellationToken);
        var pushes = plan.Destinations.Select(destination => Task.Run(() => PushArtifactToDestinationAsync(http, imageTask, plan, artifact, destination, ci, cancellationToken), cancellationToken)).ToList();
#pragma warning restore CA2025
        try
        {
            await AwaitDestinationsAsync(plan, pushes, imageTask).ConfigureAwait(false);
        }
        finally
        {
            // The scratch folder of an archive goes, whatever happened (a layout is never touched): wait for the read to end.
            await ((Task)imageTask).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            if (imageTask.IsCompletedSuccessfully)
            {
                (await imageTask.ConfigureAwait(false)).Dispose();
            }
        }

        return Finish(plan, pushes, ci, stopwatch);
    }

    private async Task<OciImage> OpenArtifactAsync(ArtifactSource artifact, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var image = artifact.Kind == ArtifactKind.OciLayout
            ? new OciImage(await OciLayoutReader.ReadAsync(artifact.Path, artifact, $"The OCI layout {artifact.Path}", cancellationToken).ConfigureAwait(false), scratchDirectory: null)
            : await ImageArchiveReader.OpenAsync(artifact, log, cancellationToken).ConfigureAwait(false);
        var root = image.Root;
        var what = root.IsIndex ? $"an index of {string.Join(", ", root.Children.Select(c => c.Platform))}" : "an image";
        log.Information(string.Create(CultureInfo.InvariantCulture, $"Read {artifact}: {what}, {root.Digest}, {root.AllBlobs.Count()} blobs of {root.AllBlobs.Sum(b => b.Size)} bytes, in {clock.Elapsed.TotalSeconds:0.00} s"));
        return image;
    }

    private async Task<EcrPushedImage> PushArtifactToDestinationAsync(HttpClient http, Task<OciImage> imageTask, PushPlan plan, ArtifactSource artifact, EcrDestination destination, CiService ci, CancellationToken cancellationToken)
    {
        // The token comes while the image is read; the repository only once the image is known to be whole, so that a
        // damaged archive or layout does not leave a repository behind.
        var (connection, image, token, repository) = await OpenDestinationAsync(plan, destination, imageTask, repositoryAfter: imageTask, ci, cancellationToken).ConfigureAwait(false);

        var root = image.Root;
        var target = $"{token.RegistryHost}/{plan.RepositoryName}";
        string digest;
        try
        {
            // An image's identity in ECR: its config digest (the engine's image ID) for a manifest, its own digest for an index.
            var identity = new LocalImage(root.ConfigDigest ?? root.Digest, []);
            var alreadyThere = await CheckImmutableTagsAsync(connection, plan, destination.RegistryId, repository, identity, cancellationToken).ConfigureAwait(false);
            var client = new RegistryClient(http, token.RegistryHost, token.UserName, token.Password, DockerEngine.ReadInactivityTimeout(environment));
            var tags = plan.Tags.Where(t => !alreadyThere.ContainsKey(t)).ToList();
            try
            {
                digest = tags.Count == 0
                    ? alreadyThere[plan.Tags[0]]
                    : await new ImageUploader(client, log).PushAsync(plan.RepositoryName, root, tags, artifact.UploadParallelism, cancellationToken).ConfigureAwait(false);
            }
            catch (EcrPushException refused) when (refused.Message.Contains("TAG_INVALID", StringComparison.Ordinal) && plan.Tags.Any(repository.IsTagImmutable))
            {
                // Another writer took an immutable tag between the check above and our manifest PUT (the registry's
                // TAG_INVALID): the same check again names the tag, what it holds now and the repository, as on the engine path.
                await CheckImmutableTagsAsync(connection, plan, destination.RegistryId, repository, identity, cancellationToken, refused).ConfigureAwait(false);
                throw;
            }
        }
        catch (EcrPushException exception) when (repository.Created)
        {
            throw CreatedRepositoryStays(exception, repository);
        }

        return Pushed(plan, destination, connection, repository, target, digest) with
        {
            Platforms = [.. root.Children.Select(c => new EcrPushedPlatform(c.Platform ?? "unknown/unknown", c.Digest))],
        };
    }
}
