using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ecr.Internal.Sources;

namespace Ecr.Internal.Registry;

/// <summary>An image read from a registry for a copy: its manifest or index, the children of an index (each with its platform), and the blobs each names.</summary>
internal sealed record RemoteImage(RegistryManifest Manifest, IReadOnlyList<RemoteBlob> Blobs, IReadOnlyList<RemoteImage> Children)
{
    /// <summary>The index entry's platform, os/architecture[/variant]; <c>unknown/unknown</c> for an attestation; null for the root.</summary>
    public string? Platform { get; init; }

    public string Digest => Manifest.Digest;

    /// <summary>Every blob of this image and its children, each once.</summary>
    public IEnumerable<RemoteBlob> AllBlobs => Blobs.Concat(Children.SelectMany(c => c.AllBlobs)).DistinctBy(b => b.Digest, StringComparer.Ordinal);

    /// <summary>The config digest of a single image (its ID in an engine); null for an index.</summary>
    public string? ConfigDigest { get; init; }
}

/// <summary>A blob as a manifest names it: digest and size.</summary>
internal sealed record RemoteBlob(string Digest, long Size);

/// <summary>
/// Copies an image already in one ECR repository into another repository, region or account through the registry API,
/// without an engine: reads the manifest (and an index's children), streams each blob the destination lacks from the
/// source's GET into the destination's upload (a bounded number at once, each retried on a 5xx or a broken connection),
/// then puts each child by digest and last the image under each tag, byte for byte, so that the digest stays the same.
/// A failure before that last step leaves no tag.
/// </summary>
internal sealed class ImageCopier(RegistryClient source, string sourceRepository, IPushLog log)
{
    private const int MaxDepth = 2;

    private string SourceName => $"{source.RegistryHost}/{sourceRepository}";

    /// <summary>Reads the image under <paramref name="digest"/>, its children first; every manifest checked against its digest.</summary>
    public Task<RemoteImage> ReadAsync(string digest, CancellationToken cancellationToken) => ReadAsync(digest, platform: null, depth: 0, cancellationToken);

    /// <summary>Copies <paramref name="image"/> into <paramref name="repository"/> under <paramref name="tags"/>; returns its digest.</summary>
    public async Task<string> CopyAsync(RemoteImage image, RegistryClient destination, string repository, IReadOnlyList<string> tags, int parallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(tags);
        var clock = Stopwatch.StartNew();
        var blobs = image.AllBlobs.ToList();
        long copied = 0;
        var fresh = 0;
        await Parallel.ForEachAsync(
            blobs,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (blob, ct) =>
            {
                if (await RegistryRetries.RunAsync(destination, log, $"check {Short(blob.Digest)}", () => destination.BlobExistsAsync(repository, blob.Digest, ct), ct).ConfigureAwait(false))
                {
                    log.Verbose($"{Short(blob.Digest)}: already in {destination.RegistryHost}/{repository}");
                    return;
                }

                var started = Stopwatch.StartNew();
                await RegistryRetries.RunAsync(destination, log, $"copy {Short(blob.Digest)} from {SourceName}", async () =>
                {
                    var stream = await source.OpenBlobAsync(sourceRepository, blob.Digest, ct).ConfigureAwait(false);
                    await using (stream.ConfigureAwait(false))
                    {
                        await destination.UploadBlobFromAsync(repository, blob.Digest, blob.Size, stream, SourceName, ct).ConfigureAwait(false);
                    }
                }, ct).ConfigureAwait(false);
                Interlocked.Add(ref copied, blob.Size);
                Interlocked.Increment(ref fresh);
                log.Verbose(string.Create(CultureInfo.InvariantCulture, $"{Short(blob.Digest)}: copied {blob.Size} bytes in {started.Elapsed.TotalSeconds:0.00} s"));
            }).ConfigureAwait(false);
        log.Information(string.Create(CultureInfo.InvariantCulture, $"Copied {fresh} of {blobs.Count} blobs ({copied} bytes; the others were in {destination.RegistryHost}/{repository}) from {SourceName} in {clock.Elapsed.TotalSeconds:0.00} s, {parallelism} at once"));

        // Children first, deepest first: a registry refuses an index whose manifests it does not have.
        foreach (var child in PostOrder(image).Where(c => !ReferenceEquals(c, image)))
        {
            await RegistryRetries.RunAsync(destination, log, $"put {Short(child.Digest)}", () => destination.PutManifestAsync(repository, child.Digest, child.Manifest.ToUpload(), cancellationToken), cancellationToken).ConfigureAwait(false);
            log.Verbose($"Put the {child.Platform} manifest {child.Digest}");
        }

        foreach (var tag in tags)
        {
            await RegistryRetries.RunAsync(destination, log, $"put {tag}", () => destination.PutManifestAsync(repository, tag, image.Manifest.ToUpload(), cancellationToken), cancellationToken).ConfigureAwait(false);
            log.Information($"Pushed {destination.RegistryHost}/{repository}:{tag} ({image.Digest})");
        }

        return image.Digest;
    }

    /// <summary>The platforms of an index's entries, in order, with their digests; empty for a single image.</summary>
    public static IReadOnlyList<(string Platform, string Digest)> PlatformsOf(byte[] index)
    {
        using var document = JsonDocument.Parse(index);
        if (!document.RootElement.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return [.. manifests.EnumerateArray().Select(entry => (PlatformOf(entry), entry.GetProperty("digest").GetString()!))];
    }

    private static IEnumerable<RemoteImage> PostOrder(RemoteImage image) => image.Children.SelectMany(PostOrder).Append(image);

    private static string PlatformOf(JsonElement entry)
    {
        if (!entry.TryGetProperty("platform", out var platform) || platform.ValueKind != JsonValueKind.Object)
        {
            return "unknown/unknown";
        }

        var os = platform.TryGetProperty("os", out var o) ? o.GetString() : "unknown";
        var architecture = platform.TryGetProperty("architecture", out var a) ? a.GetString() : "unknown";
        return platform.TryGetProperty("variant", out var v) && v.GetString() is { Length: > 0 } variant ? $"{os}/{architecture}/{variant}" : $"{os}/{architecture}";
    }

    private static string Short(string digest) => digest.Length > 19 ? digest[..19] : digest;

    private async Task<RemoteImage> ReadAsync(string digest, string? platform, int depth, CancellationToken cancellationToken)
    {
        var manifest = await RegistryRetries.RunAsync(source, log, $"read {Short(digest)}", () => source.GetManifestAsync(sourceRepository, digest, cancellationToken), cancellationToken).ConfigureAwait(false)
            ?? throw new EcrPushException($"The registry {source.RegistryHost} has no manifest {digest} in {sourceRepository}, which the ECR API listed{(depth > 0 ? " in the index" : string.Empty)}. Nothing was pushed; push again, and check that the image was not deleted meanwhile.");
        try
        {
            using var document = JsonDocument.Parse(manifest.Bytes);
            var root = document.RootElement;
            if (manifest.IsIndex)
            {
                if (depth == MaxDepth)
                {
                    throw new EcrPushException($"The index {digest} in {SourceName} nests indexes deeper than {MaxDepth} levels, which this copy does not follow. Nothing was pushed.");
                }

                var children = new List<RemoteImage>();
                foreach (var entry in root.GetProperty("manifests").EnumerateArray())
                {
                    children.Add(await ReadAsync(entry.GetProperty("digest").GetString()!, PlatformOf(entry), depth + 1, cancellationToken).ConfigureAwait(false));
                }

                return new RemoteImage(manifest, [], children) { Platform = platform };
            }

            var config = root.GetProperty("config");
            var blobs = new List<RemoteBlob> { Blob(config) };
            if (root.TryGetProperty("layers", out var layers))
            {
                // A foreign layer (Windows base images) lives at its URLs, not in the registry; ECR does not hold it either.
                blobs.AddRange(layers.EnumerateArray()
                    .Where(layer => !(layer.TryGetProperty("mediaType", out var type) && type.GetString()?.Contains(".foreign.", StringComparison.Ordinal) == true))
                    .Select(Blob));
            }

            return new RemoteImage(manifest, blobs, []) { Platform = platform, ConfigDigest = config.GetProperty("digest").GetString() };
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new EcrPushException($"The manifest {digest} in {SourceName} ({manifest.MediaType}) is not one this copy can read: {exception.Message} Nothing was pushed.", exception);
        }

        static RemoteBlob Blob(JsonElement descriptor) => new(descriptor.GetProperty("digest").GetString()!, descriptor.GetProperty("size").GetInt64());
    }
}
