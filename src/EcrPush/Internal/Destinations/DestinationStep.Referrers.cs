using Ecr.Internal.Images;
using Ecr.Internal.Registry;
using Ecr.Internal.Sources;

namespace Ecr.Internal.Destinations;

/// <summary>
/// What the destination step does after the image is there, for every source alike: its referrers (the source's own,
/// and the files attached, whose subject is the pushed manifest), then ECR's managed signing of it; and, when one of
/// them fails, the one message that says what was pushed, what was not, and what to do.
/// </summary>
internal sealed partial class DestinationStep
{
    /// <summary>The clock the wait for managed signing runs on; the unit tests' own.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    private static async Task<IReadOnlyList<EcrPushedReferrer>> WriteReferrersAsync(PushPlan plan, DestinationContext destination, IImageSource source, string digest, CancellationToken cancellationToken)
    {
        ImageGraph? graph = null;
        var referrers = new List<ImageGraph>();
        try
        {
            graph = await source.GraphAsync(destination, cancellationToken).ConfigureAwait(false);
            if (graph is not null && graph.Root.Digest != digest)
            {
                // An immutable tag holds this image as another manifest (the same config, compressed otherwise): the
                // source's referrers are about a manifest that is not there.
                graph = null;
            }

            referrers.AddRange(graph?.Referrers ?? []);
            if (plan.Referrers.Attachments.Count > 0)
            {
                var subject = graph is not null ? new Descriptor(graph.Root.MediaType, digest, graph.Root.Bytes.LongLength) : await SubjectAsync(destination, digest, cancellationToken).ConfigureAwait(false);
                referrers.AddRange(plan.Referrers.Attachments.Select(file => ArtifactManifests.For(file, subject)));
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new ReferrersFailedException([], [], exception);
        }

        if (referrers.Count == 0 && (graph is null || !graph.Root.Descendants.Append(graph.Root).Any(node => node.Subject is not null)))
        {
            return [];
        }

        var parallelism = plan.Source switch
        {
            ImageFileSpec file => file.UploadParallelism,
            EcrImageSpec image => image.UploadParallelism,
            _ => SourceSpec.DefaultUploadParallelism,
        };
        return await destination.Writer.WriteReferrersAsync(graph, referrers, destination.RegistryPath, parallelism, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The pushed manifest as the registry holds it (an engine push's, or one an immutable tag held): the subject of the files attached.</summary>
    private static async Task<Descriptor> SubjectAsync(DestinationContext destination, string digest, CancellationToken cancellationToken)
    {
        var manifest = await destination.Registry.Client.GetManifestAsync(destination.RegistryPath, digest, cancellationToken).ConfigureAwait(false)
            ?? throw new EcrPushException($"The registry {destination.Registry.Host} has no manifest {digest} in {destination.RegistryPath} right after its push, so nothing can be attached to it. Push again.");
        return new Descriptor(manifest.MediaType, digest, manifest.Bytes.LongLength);
    }

    /// <summary>
    /// A failure after the image was pushed and tagged (a referrer, the managed signing): its cause, what is there (the
    /// tags, the referrers) and what is not; the push's result so far in <see cref="EcrPushException.Landed"/>.
    /// </summary>
    private static Exception AfterThePush(Exception cause, EcrPushedImage pushed, DestinationContext destination, IReadOnlyList<EcrPushedReferrer> missing)
    {
        if (cause is OperationCanceledException)
        {
            return cause;
        }

        var referrers = pushed.Referrers.Count == 0 && missing.Count == 0 ? string.Empty
            : $" Referrers there: {(pushed.Referrers.Count == 0 ? "none" : string.Join(", ", pushed.Referrers.Select(Shown)))}{(missing.Count == 0 ? string.Empty : $"; not pushed: {string.Join(", ", missing.Select(Shown))}")}.";
        var stays = destination.Repository.Created ? $" The repository {destination.Target} was created by this push and stays." : string.Empty;
        var again = missing.Count == 0 ? string.Empty : " Push again: what is there already is not pushed twice.";
        return new EcrPushException($"{Messages.Sentence(cause.Message)} The image was pushed: {string.Join(", ", pushed.ImageReferences)} ({pushed.Digest}).{referrers}{again}{stays}", cause is EcrPushException { InnerException: { } inner } ? inner : cause)
        {
            Landed = [pushed],
        };

        static string Shown(EcrPushedReferrer referrer) => $"{referrer.Digest} ({referrer.ArtifactType})";
    }
}
