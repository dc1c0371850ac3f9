using System.Diagnostics;
using System.Globalization;
using Ecr.Internal.Images;

namespace Ecr.Internal.Registry;

/// <summary>The tags a write put, in order, and the digest they hold.</summary>
internal sealed record WriteResult(string Digest, IReadOnlyList<string> Tags);

/// <summary>
/// A write that failed after it began: the tags that landed before the failure (empty when none did) and the digest
/// they hold. Every way an image is written (this writer, the engine, ECR's PutImage) reports a failure this way, so that
/// the destination step can say once what landed and what stays.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1064:Exceptions should be public", Justification = "Never leaves the library: the destination step turns it into an EcrPushException.")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Always made with what landed.")]
internal sealed class WriteFailedException(string? digest, IReadOnlyList<string> landedTags, Exception cause)
    : Exception(cause.Message, cause)
{
    /// <summary>The digest of what was written; null when the write failed before it knew one.</summary>
    public string? Digest { get; } = digest;

    public IReadOnlyList<string> LandedTags { get; } = landedTags;
}

/// <summary>
/// The one writer of an image graph into a registry, whatever the graph's source: each blob the repository lacks (HEAD),
/// a bounded number at once, mounted from another repository of the registry where one is known to hold it (the
/// source's own repository, or one this process saw it in), else uploaded in one PUT or in parts with its digest checked
/// as it streams; then the manifests under the root, deepest first; last the root under each tag, one by one. A failure
/// before the first tag leaves no tag; a failure after it says which tags landed (<see cref="WriteFailedException"/>).
/// </summary>
internal sealed partial class ImageWriter(RegistryClient client, IPushLog log, KnownBlobs known)
{
    public async Task<WriteResult> WriteAsync(ImageGraph image, string repository, IReadOnlyList<string> tags, int parallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(tags);
        var root = image.Root;
        var landed = new List<string>();
        try
        {
            await WriteBlobsAsync(image, repository, parallelism, quiet: false, cancellationToken).ConfigureAwait(false);
            foreach (var child in root.Descendants)
            {
                await client.PutManifestAsync(repository, child.Digest, child, cancellationToken).ConfigureAwait(false);
                log.Verbose($"Put the {child.Platform} manifest {child.Digest}");
            }

            foreach (var tag in tags)
            {
                await client.PutManifestAsync(repository, tag, root, cancellationToken).ConfigureAwait(false);
                landed.Add(tag);
                log.Information($"Pushed {client.RegistryHost}/{repository}:{tag} ({root.Digest})");
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || landed.Count > 0)
        {
            throw new WriteFailedException(root.Digest, landed, exception);
        }

        return new WriteResult(root.Digest, landed);
    }

    private async Task WriteBlobsAsync(ImageGraph image, string repository, int parallelism, bool quiet, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var blobs = image.Root.AllBlobs.ToList();
        var location = image.Blobs.Location;
        long uploaded = 0;
        int fresh = 0, mounted = 0;
        await Parallel.ForEachAsync(
            blobs,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (blob, ct) =>
            {
                if (await client.BlobExistsAsync(repository, blob.Digest, ct).ConfigureAwait(false))
                {
                    log.Verbose($"{Short(blob.Digest)}: already in {client.RegistryHost}/{repository}");
                    known.Record(client.RegistryHost, blob.Digest, repository);
                    return;
                }

                var started = Stopwatch.StartNew();
                var from = MountSource(location, blob.Digest, repository);
                var wasMounted = await client.UploadBlobAsync(repository, blob, image.Blobs, from, ct).ConfigureAwait(false);
                known.Record(client.RegistryHost, blob.Digest, repository);
                if (wasMounted)
                {
                    Interlocked.Increment(ref mounted);
                    log.Verbose($"{Short(blob.Digest)}: mounted from {from}");
                    return;
                }

                Interlocked.Add(ref uploaded, blob.Size);
                Interlocked.Increment(ref fresh);
                log.Verbose(string.Create(CultureInfo.InvariantCulture, $"{Short(blob.Digest)}: uploaded {blob.Size} bytes in {started.Elapsed.TotalSeconds:0.00} s{(from is null ? string.Empty : $" (the registry did not mount it from {from})")}"));
            }).ConfigureAwait(false);
        var from = location is null ? string.Empty : $" from {location}";
        (quiet ? (Action<string>)log.Verbose : log.Information)(string.Create(CultureInfo.InvariantCulture, $"Uploaded {fresh} of {blobs.Count} blobs{from} ({uploaded} bytes{(fresh < blobs.Count ? $"; the others were in {client.RegistryHost}/{repository}{(mounted > 0 ? $", or mounted from another of its repositories: {mounted}" : string.Empty)}" : string.Empty)}) in {clock.Elapsed.TotalSeconds:0.00} s, {parallelism} at once"));
    }

    /// <summary>Another repository of this registry that holds the blob: the source's own when it is in this registry, else one this process saw it in.</summary>
    private string? MountSource(BlobLocation? source, string digest, string repository)
        => source is not null && string.Equals(source.RegistryHost, client.RegistryHost, StringComparison.OrdinalIgnoreCase)
            ? (string.Equals(source.Repository, repository, StringComparison.Ordinal) ? null : source.Repository)
            : known.OtherRepository(client.RegistryHost, digest, repository);

    private static string Short(string digest) => digest.Length > 19 ? digest[..19] : digest;
}
