using Ecr.Internal.Images;
using Ecr.Internal.Registry;

namespace Ecr.Internal.Sources;

/// <summary>
/// The referrers of an image in a registry, for a copy to carry them: those of its root and of each of its manifests,
/// and the referrers of those (a signature of an SBOM), each read as it is so that the copy has the same digests. Listed
/// through the referrers API where the registry serves it, else the tag schema's index (RegistryClient.Referrers.cs).
/// </summary>
internal static partial class RegistryImageReader
{
    // What a copy follows at most: more would be a registry's listing gone wrong rather than an image's referrers.
    private const int MaxReferrers = 256;

    private static async Task<IReadOnlyList<ImageGraph>> ReadReferrersAsync(RegistryClient registry, string repository, ImageManifest root, IBlobSource blobs, CancellationToken cancellationToken)
    {
        var known = root.Descendants.Append(root).Select(node => node.Digest).ToHashSet(StringComparer.Ordinal);
        var subjects = new Queue<string>(root.Descendants.Select(node => node.Digest).Prepend(root.Digest));
        var referrers = new List<ImageGraph>();
        while (subjects.TryDequeue(out var subject))
        {
            var listing = await registry.ListReferrersAsync(repository, subject, cancellationToken).ConfigureAwait(false);
            foreach (var digest in listing.Digests.Where(known.Add))
            {
                // A tag schema's index keeps an entry whose manifest was deleted since; the API lists only what is there.
                if (!listing.ApiServed && await registry.GetManifestAsync(repository, digest, cancellationToken).ConfigureAwait(false) is null)
                {
                    continue;
                }

                if (referrers.Count == MaxReferrers)
                {
                    throw new EcrPushException($"The image {root.Digest} in {registry.RegistryHost}/{repository} has more than {MaxReferrers} referrers, more than a copy carries. Copy it without them (DisableIncludeReferrers()), and copy them with a tool made for that (oras copy -r, regctl image copy --referrers).");
                }

                var manifest = await ReadAsync(registry, repository, digest, platform: null, depth: 0, cancellationToken).ConfigureAwait(false);
                if (manifest.Subject?.Digest == subject)
                {
                    referrers.Add(new ImageGraph(manifest, blobs));
                    subjects.Enqueue(digest);
                }
            }
        }

        return referrers;
    }
}
