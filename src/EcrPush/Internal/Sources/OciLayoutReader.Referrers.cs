using System.Text.Json;
using Ecr.Internal.Images;

namespace Ecr.Internal.Sources;

/// <summary>
/// The referrers in a layout: the manifests index.json lists whose <c>subject</c> is the image pushed, one of its
/// manifests, or another of these, as <c>oras attach --oci-layout</c>, <c>notation sign --oci-layout</c> and
/// <c>cosign save</c> leave them (oras-go's layout store lists every manifest it writes in index.json, untagged).
/// BuildKit's attestations as OCI artifacts (its <c>oci-artifact</c> export option: an <c>artifactType</c>, the empty
/// config and a <c>subject</c> naming the platform's manifest) are entries of the image's index itself, read with it.
/// A referrer whose subject is not in the layout at all is an error: its image was removed or written again.
/// </summary>
internal static partial class OciLayoutReader
{
    /// <summary>The image (<see cref="ReadAsync"/>) with its referrers when the source takes them, ready to push.</summary>
    public static async Task<ImageGraph> ReadGraphAsync(string layout, ImageFileSpec source, string shownAs, IPushLog log, string? scratchDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(log);
        var (root, chosen, entries) = await ReadRootAsync(layout, source, shownAs, cancellationToken).ConfigureAwait(false);
        var blobs = new LayoutBlobs(layout);
        var referrers = source.IncludeReferrers
            ? await ReadReferrersAsync(layout, entries, root, ManifestJson.String(chosen, "digest")!, source, shownAs, log, cancellationToken).ConfigureAwait(false)
            : [];
        return new ImageGraph(root, blobs, scratchDirectory) { Referrers = [.. referrers.Select(referrer => new ImageGraph(referrer, blobs))] };
    }

    private static async Task<List<ImageManifest>> ReadReferrersAsync(string layout, IReadOnlyList<JsonElement> entries, ImageManifest root, string chosenDigest, ImageFileSpec source, string shownAs, IPushLog log, CancellationToken cancellationToken)
    {
        var candidates = new List<(JsonElement Entry, string Digest, string Subject)>();
        foreach (var entry in entries.DistinctBy(entry => ManifestJson.String(entry, "digest"), StringComparer.Ordinal))
        {
            if (ManifestJson.String(entry, "digest") is not { } digest || SubjectOfEntry(layout, entry) is not { } subject)
            {
                continue;
            }

            if (!File.Exists(LayoutBlobs.PathOf(layout, subject.Digest)))
            {
                throw new EcrPushException($"{shownAs}: index.json lists the referrer {digest}{TypeOfEntry(layout, digest)}, whose subject {subject.Digest} is not in the layout: the image it was made for was removed or written again since. Attach it to the image as it is now (oras attach, notation sign, cosign), or remove its entry from index.json.");
            }

            candidates.Add((entry, digest, subject.Digest));
        }

        // A referrer of the image or of one of its manifests, then the referrers of those (a signature of an SBOM), in that order.
        var pushed = root.Descendants.Append(root).Select(node => node.Digest).ToHashSet(StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var referrers = new List<ImageManifest>();
        var whole = source with { Platforms = [], Tag = null, Digest = null };
        for (var added = true; added;)
        {
            added = false;
            foreach (var candidate in candidates.Where(c => pushed.Contains(c.Subject) && !taken.Contains(c.Digest)).ToList())
            {
                var manifest = await ReadDescriptorAsync(layout, candidate.Entry, whole, shownAs, topLevel: true, cancellationToken).ConfigureAwait(false);
                if (RefusedMediaType(manifest) is { } refused)
                {
                    throw new EcrPushException($"{shownAs}: the referrer {candidate.Digest} ({ArtifactManifests.TypeOf(manifest)}) of {candidate.Subject} has the media type '{refused}', which ECR would refuse before any of it is stored: {ArtifactManifests.EcrRefusal(refused)}. Write the referrer again with a type without parameters, or push without the layout's referrers (DisableIncludeReferrers()).");
                }

                referrers.Add(manifest);
                taken.Add(candidate.Digest);
                pushed.Add(manifest.Digest);
                added = true;
            }
        }

        foreach (var left in candidates.Where(c => !taken.Contains(c.Digest)))
        {
            if (left.Subject == chosenDigest)
            {
                // A signature of the index as the layout holds it does not hold for the index of the platforms kept.
                log.Warning($"{shownAs}: the referrer {left.Digest}{TypeOfEntry(layout, left.Digest)} of {chosenDigest} is not pushed: the push sends {root.Digest} instead (the platforms kept, or the media type added), which it does not refer to.");
            }
            else
            {
                log.Verbose($"{shownAs}: the referrer {left.Digest} refers to {left.Subject}, which is not pushed (another image of the layout, or a platform left out)");
            }
        }

        return referrers;
    }

    /// <summary>A media type of a referrer that ECR refuses (one with parameters), or null.</summary>
    private static string? RefusedMediaType(ImageManifest manifest)
        => new[] { manifest.ArtifactType, manifest.Config?.MediaType }.Concat(manifest.Layers.Select(layer => layer.MediaType))
            .FirstOrDefault(type => type is not null && ArtifactManifests.EcrRefusal(type) is not null);

    /// <summary>Whether an index.json entry is a referrer (its manifest has a subject) rather than an image; false when its manifest cannot be read here (the image's read says why).</summary>
    private static bool IsReferrerEntry(string layout, JsonElement entry) => SubjectOfEntry(layout, entry) is not null;

    private static Descriptor? SubjectOfEntry(string layout, JsonElement entry)
    {
        if (ManifestJson.String(entry, "digest") is not { } digest || !Names.Digest().IsMatch(digest) || !MediaTypes.IsManifest(ManifestJson.String(entry, "mediaType") ?? MediaTypes.OciManifest))
        {
            return null;
        }

        var file = new FileInfo(LayoutBlobs.PathOf(layout, digest));
        if (!file.Exists || file.Length > MaxManifestSize)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file.FullName));
            return ManifestJson.SubjectOf(document.RootElement);
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>" (artifact type)" of a layout's manifest, for messages; empty when it has none to tell.</summary>
    private static string TypeOfEntry(string layout, string digest)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(LayoutBlobs.PathOf(layout, digest)));
            return ManifestJson.String(document.RootElement, "artifactType") is { } type ? $" ({type})" : string.Empty;
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
