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

    private const int MaxAttempts = 4;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);

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
                if (await WithRetriesAsync($"check {Short(blob.Digest)}", () => client.BlobExistsAsync(repository, blob.Digest, ct), ct).ConfigureAwait(false))
                {
                    log.Verbose($"{Short(blob.Digest)}: already in the registry");
                    _known.Record(client.RegistryHost, blob.Digest, repository);
                    return;
                }

                var started = Stopwatch.StartNew();
                var from = _known.OtherRepository(client.RegistryHost, blob.Digest, repository);
                var wasMounted = await WithRetriesAsync($"upload {Short(blob.Digest)}", () => client.UploadBlobAsync(repository, blob, ct, from), ct).ConfigureAwait(false);
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
            await WithRetriesAsync($"put {Short(child.Digest)}", async () => { await client.PutManifestAsync(repository, child.Digest, child, cancellationToken).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
            log.Verbose($"Put the {child.Platform} manifest {child.Digest}");
        }

        foreach (var tag in tags)
        {
            await WithRetriesAsync($"put {tag}", async () => { await client.PutManifestAsync(repository, tag, root, cancellationToken).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
            log.Information($"Pushed {client.RegistryHost}/{repository}:{tag} ({root.Digest})");
        }

        return root.Digest;
    }

    private async Task<T> WithRetriesAsync<T>(string what, Func<Task<T>> attempt, CancellationToken cancellationToken)
    {
        for (var number = 1; ; number++)
        {
            try
            {
                return await attempt().ConfigureAwait(false);
            }
            catch (Exception exception) when (number < MaxAttempts && RegistryClient.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                var delay = FirstRetryDelay * Math.Pow(2, number - 1);
                log.Warning(string.Create(CultureInfo.InvariantCulture, $"Could not {what} (attempt {number} of {MaxAttempts}: {exception.Message}); trying again in {delay.TotalSeconds:0.0} s"));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException exception) when (exception.StatusCode is not null)
            {
                // The registry's own answer, which says what it refused; nothing went up after it.
                throw new EcrPushException($"{exception.Message} The image was not pushed (its manifest never went up).", exception);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                throw new EcrPushException($"Could not {what} at the registry {client.RegistryHost} after {number} attempt{(number == 1 ? "" : "s")}: {exception.Message}. The image was not pushed (its manifest never went up); push again.", exception);
            }
        }
    }

    private static string Short(string digest) => digest.Length > 19 ? digest[..19] : digest;
}
