using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ecr.Internal.Images;

namespace Ecr.Internal.Registry;

/// <summary>A referrers write that failed: the referrers in the repository before the failure (empty when none) and those not, for the destination step to say what landed.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1064:Exceptions should be public", Justification = "Never leaves the library: the destination step turns it into an EcrPushException.")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Always made with what landed.")]
internal sealed class ReferrersFailedException(IReadOnlyList<EcrPushedReferrer> landed, IReadOnlyList<EcrPushedReferrer> missing, Exception cause)
    : Exception(cause.Message, cause)
{
    public IReadOnlyList<EcrPushedReferrer> Landed { get; } = landed;

    public IReadOnlyList<EcrPushedReferrer> Missing { get; } = missing;
}

/// <summary>
/// The referrers, written after the image and its tags, with the same code as the image's: each referrer's blobs (HEAD
/// skip, mount, upload), its manifests by digest. A registry with the referrers API lists them by itself; on one without
/// it (docker-registry; ECR before 2024), the index under the tag <c>sha256-&lt;hex&gt;</c> is read, merged and written,
/// never losing an entry already there, and read again to see that the write held: a lost race (another writer's index
/// over ours) is merged and written again (OCI distribution spec 1.1, "Pushing Manifests with subject"). A referrer
/// listed already is not written again, so a push made again adds nothing.
/// </summary>
internal sealed partial class ImageWriter
{
    private const int TagSchemaWrites = 5;

    /// <param name="image">The image written, for its own manifests with a subject (BuildKit's attestations as OCI artifacts), which went up with it; null when the source gives no graph.</param>
    /// <param name="referrers">The referrers to write, a subject before the referrers of it.</param>
    /// <param name="repository">Where.</param>
    /// <param name="parallelism">How many blobs at once.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>Every referrer of the image in the repository that this push wrote or found there.</returns>
    public async Task<IReadOnlyList<EcrPushedReferrer>> WriteReferrersAsync(ImageGraph? image, IReadOnlyList<ImageGraph> referrers, string repository, int parallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(referrers);
        var listings = new Dictionary<string, ReferrersListing>(StringComparer.Ordinal);
        var unlisted = new List<ImageManifest>();
        var landed = new List<EcrPushedReferrer>();
        try
        {
            var inImage = image is null ? [] : image.Root.Descendants.Append(image.Root).Where(node => node.Subject is not null).ToList();
            foreach (var node in inImage)
            {
                var listing = await ListingAsync(node.Subject!.Digest).ConfigureAwait(false);
                if (!listing.ApiServed && !listing.Lists(node.Digest))
                {
                    unlisted.Add(node);
                }

                landed.Add(ArtifactManifests.Pushed(node));
            }

            foreach (var referrer in referrers)
            {
                var manifest = referrer.Root;
                var subject = manifest.Subject?.Digest ?? throw new InvalidOperationException($"The referrer {manifest.Digest} has no subject.");
                var listing = await ListingAsync(subject).ConfigureAwait(false);
                if (listing.Lists(manifest.Digest))
                {
                    log.Verbose($"The referrer {manifest.Digest} ({ArtifactManifests.TypeOf(manifest)}) of {subject} is in {client.RegistryHost}/{repository} already");
                }
                else
                {
                    await WriteBlobsAsync(referrer, repository, parallelism, quiet: true, cancellationToken).ConfigureAwait(false);
                    foreach (var child in manifest.Descendants)
                    {
                        await client.PutManifestAsync(repository, child.Digest, child, cancellationToken).ConfigureAwait(false);
                    }

                    await client.PutManifestAsync(repository, manifest.Digest, manifest, cancellationToken).ConfigureAwait(false);
                    log.Information($"Pushed the referrer {client.RegistryHost}/{repository}@{manifest.Digest} ({ArtifactManifests.TypeOf(manifest)}) of {subject}");
                    if (!listing.ApiServed)
                    {
                        unlisted.Add(manifest);
                    }
                }

                landed.Add(ArtifactManifests.Pushed(manifest));
            }

            foreach (var bySubject in unlisted.GroupBy(manifest => manifest.Subject!.Digest, StringComparer.Ordinal))
            {
                await ListInTagSchemaAsync(repository, bySubject.Key, [.. bySubject], cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || landed.Count > 0)
        {
            var missing = referrers.Select(referrer => ArtifactManifests.Pushed(referrer.Root)).Where(referrer => !landed.Any(l => l.Digest == referrer.Digest)).ToList();
            throw new ReferrersFailedException(landed, missing, exception);
        }

        return landed;

        async Task<ReferrersListing> ListingAsync(string subject)
        {
            if (!listings.TryGetValue(subject, out var listing))
            {
                listing = await client.ListReferrersAsync(repository, subject, cancellationToken).ConfigureAwait(false);
                listings[subject] = listing;
                log.Verbose(listing.ApiServed
                    ? $"{client.RegistryHost} serves the referrers API: it lists {listing.Entries.Count} referrers of {subject} in {repository}"
                    : $"{client.RegistryHost} serves no referrers API (404): the tag {RegistryClient.TagSchemaTag(subject)} of {repository} lists the referrers of {subject} ({listing.Entries.Count} now)");
            }

            return listing;
        }
    }

    /// <summary>Adds <paramref name="manifests"/> to the tag schema's index of <paramref name="subject"/>: read, merged, written, read again until it holds them.</summary>
    private async Task ListInTagSchemaAsync(string repository, string subject, IReadOnlyList<ImageManifest> manifests, CancellationToken cancellationToken)
    {
        var tag = RegistryClient.TagSchemaTag(subject);
        for (var writes = 0; ; writes++)
        {
            var (_, entries) = await client.ReadTagSchemaAsync(repository, subject, cancellationToken).ConfigureAwait(false);
            var missing = manifests.Where(manifest => !entries.Any(entry => ManifestJson.String(entry, "digest") == manifest.Digest)).ToList();
            if (missing.Count == 0)
            {
                log.Information($"Listed {manifests.Count} referrer{(manifests.Count == 1 ? string.Empty : "s")} of {subject} under the tag {client.RegistryHost}/{repository}:{tag} ({entries.Count} in all), as a registry without the referrers API needs");
                return;
            }

            if (writes == TagSchemaWrites)
            {
                throw new EcrPushException($"The referrers of {subject} could not be listed under the tag {tag} of {client.RegistryHost}/{repository}: another writer replaced that index each of the {TagSchemaWrites} times it was written. Push again.");
            }

            if (writes > 0)
            {
                // Another writer's index replaced ours between the write and the read: merge with it, a little later.
                log.Verbose($"The index under {tag} of {repository} lost {missing.Count} of our entries to another writer; merging and writing it again");
                await Task.Delay(TimeSpan.FromMilliseconds(RandomNumberGenerator.GetInt32(50, 250) * writes), cancellationToken).ConfigureAwait(false);
            }

            var index = new JsonObject
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = MediaTypes.OciIndex,
                ["manifests"] = new JsonArray([.. entries.Select(entry => (JsonNode)entry.DeepClone()), .. missing.Select(manifest => (JsonNode)ArtifactManifests.IndexEntry(manifest))]),
            };
            var bytes = ManifestJson.Write(index);
            await client.PutManifestAsync(repository, tag, new ImageManifest(MediaTypes.OciIndex, bytes, Sha256.Of(bytes), Config: null, [], []), cancellationToken).ConfigureAwait(false);
        }
    }
}
