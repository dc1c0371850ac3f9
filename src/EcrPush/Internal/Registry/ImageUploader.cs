using System.Diagnostics;
using System.Globalization;
using Ecr.Internal.Sources;

namespace Ecr.Internal.Registry;

/// <summary>
/// Pushes one image read from a layout or archive to one repository: the blobs the registry lacks, a bounded number at
/// once, each retried on a 5xx or a broken connection; then each child manifest by digest, and last the image under each
/// tag. A failure before that last step leaves no tag and no manifest that names a missing blob. A blob this process saw
/// in another repository of the same registry is first tried as a mount from there (<see cref="KnownBlobs"/>).
/// </summary>
internal sealed class ImageUploader(RegistryClient client, IPushLog log, KnownBlobs? known = null)
{
    private readonly KnownBlobs _known = known ?? KnownBlobs.Shared;


    /// <summary>Returns the digest of the image pushed (the index's for an index).</summary>
    public async Task<string> PushAsync(string repository, OciManifest root, IReadOnlyList<string> tags, int parallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(tags);
        var clock = Stopwatch.StartNew();
        var blobs = root.AllBlobs.ToList();
        long uploaded = 0;
        var fresh = 0;
        var mounted = 0;
        await Parallel.ForEachAsync(
            blobs,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (blob, ct) =>
            {
                if (await RegistryRetries.RunAsync(client, log, $"check {Short(blob.Digest)}", () => client.BlobExistsAsync(repository, blob.Digest, ct), ct).ConfigureAwait(false))
                {
                    log.Verbose($"{Short(blob.Digest)}: already in the registry");
                    _known.Record(client.RegistryHost, blob.Digest, repository);
                    return;
                }

                var started = Stopwatch.StartNew();
                var from = _known.OtherRepository(client.RegistryHost, blob.Digest, repository);
                var wasMounted = await RegistryRetries.RunAsync(client, log, $"upload {Short(blob.Digest)}", () => client.UploadBlobAsync(repository, blob, ct, from), ct).ConfigureAwait(false);
                _known.Record(client.RegistryHost, blob.Digest, repository);
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
        log.Information(string.Create(CultureInfo.InvariantCulture, $"Uploaded {fresh} of {blobs.Count} blobs ({uploaded} bytes; the others were in the registry{(mounted > 0 ? $", or mounted from another of its repositories: {mounted}" : string.Empty)}) in {clock.Elapsed.TotalSeconds:0.00} s, {parallelism} at once"));

        // Children first: a registry refuses an index whose manifests it does not have.
        foreach (var child in root.Children)
        {
            await RegistryRetries.RunAsync(client, log, $"put {Short(child.Digest)}", () => client.PutManifestAsync(repository, child.Digest, child, cancellationToken), cancellationToken).ConfigureAwait(false);
            log.Verbose($"Put the {child.Platform} manifest {child.Digest}");
        }

        foreach (var tag in tags)
        {
            await RegistryRetries.RunAsync(client, log, $"put {tag}", () => client.PutManifestAsync(repository, tag, root, cancellationToken), cancellationToken).ConfigureAwait(false);
            log.Information($"Pushed {client.RegistryHost}/{repository}:{tag} ({root.Digest})");
        }

        return root.Digest;
    }

    private static string Short(string digest) => digest.Length > 19 ? digest[..19] : digest;
}
