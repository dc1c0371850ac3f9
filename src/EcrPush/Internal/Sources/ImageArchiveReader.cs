using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ecr.Internal.Images;

namespace Ecr.Internal.Sources;

/// <summary>
/// Opens an image archive: unpacks the tar (gunzipping it on the way when it is compressed) into a scratch folder,
/// then tells by content what it is. An OCI archive is a layout as it stands. A docker-archive (<c>docker save</c>, the
/// .NET SDK's archive: manifest.json, a config, uncompressed layer.tar files) becomes one: each layer is gzip-compressed
/// into the scratch folder, several at once, while both its digests are computed from the same pass (the uncompressed
/// one is checked against the config's diff_ids); memory stays flat whatever the size. The files go to disk, not memory.
/// </summary>
internal static class ImageArchiveReader
{
    /// <summary>Whether the file starts as a gzip stream or a tar (the ustar magic at 257, or a plain v7 header's checksum).</summary>
    public static bool LooksLikeArchive(string path)
    {
        Span<byte> head = stackalloc byte[512];
        int read;
        using (var stream = File.OpenRead(path))
        {
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        if (read >= 2 && head[0] == 0x1F && head[1] == 0x8B)
        {
            return true;
        }

        return read == 512 && (head.Slice(257, 5).SequenceEqual("ustar"u8) || ChecksumMatches(head));
    }

    /// <summary>The image of the archive, its blobs in a scratch folder that disposing the image deletes.</summary>
    public static async Task<ImageGraph> OpenAsync(ImageFileSpec source, IPushLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(log);
        var shownAs = $"The image archive {source.Path}";
        var scratch = Directory.CreateTempSubdirectory("ecrpush-").FullName;
        try
        {
            var unpacked = Directory.CreateDirectory(Path.Combine(scratch, "archive")).FullName;
            await UnpackAsync(source.Path, unpacked, shownAs, cancellationToken).ConfigureAwait(false);
            string layout;
            if (File.Exists(Path.Combine(unpacked, "index.json")))
            {
                log.Verbose($"{source.Path} is an OCI archive");
                layout = unpacked;
            }
            else if (File.Exists(Path.Combine(unpacked, "manifest.json")))
            {
                log.Verbose($"{source.Path} is a docker-archive: compressing its layers");
                layout = Directory.CreateDirectory(Path.Combine(scratch, "layout")).FullName;
                await ConvertDockerArchiveAsync(unpacked, layout, shownAs, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                throw new EcrPushException($"{shownAs} is a tar, but not of an image: it has neither index.json (an OCI archive) nor manifest.json (a docker-archive). Give the file that `docker save -o`, `skopeo copy … oci-archive:` or the .NET SDK's ContainerArchiveOutputPath wrote.");
            }

            return await OciLayoutReader.ReadGraphAsync(layout, source, shownAs, log, scratch, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ImageGraph.DeleteScratch(scratch);
            throw;
        }
    }

    private static async Task UnpackAsync(string path, string destination, string shownAs, CancellationToken cancellationToken)
    {
        var file = File.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            var gzip = file.ReadByte() == 0x1F && file.ReadByte() == 0x8B;
            file.Position = 0;
            // leaveOpen: disposing it leaves the file to its own using.
            var tar = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : (Stream)new BufferedStream(file, 1 << 16);
            await using (tar.ConfigureAwait(false))
            {
                try
                {
                    await TarFile.ExtractToDirectoryAsync(tar, destination, overwriteFiles: true, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is EndOfStreamException or InvalidDataException or FormatException or IOException)
                {
                    throw new EcrPushException($"{shownAs} cannot be unpacked: it is truncated or damaged ({exception.Message}). Write it again (docker save, skopeo copy).", exception);
                }
            }
        }
    }

    private static async Task ConvertDockerArchiveAsync(string unpacked, string layout, string shownAs, CancellationToken cancellationToken)
    {
        JsonElement images;
        try
        {
            images = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(unpacked, "manifest.json"), cancellationToken).ConfigureAwait(false)).RootElement;
        }
        catch (JsonException exception)
        {
            throw new EcrPushException($"{shownAs}: its manifest.json is not JSON ({exception.Message}). Write the archive again.", exception);
        }

        if (images.ValueKind != JsonValueKind.Array || images.GetArrayLength() == 0)
        {
            throw new EcrPushException($"{shownAs}: its manifest.json lists no image. Write the archive again.");
        }

        Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256"));
        var index = new JsonArray();
        foreach (var image in images.EnumerateArray())
        {
            var manifest = await ConvertImageAsync(unpacked, layout, image, shownAs, cancellationToken).ConfigureAwait(false);
            var digest = Sha256.Of(manifest);
            await File.WriteAllBytesAsync(LayoutBlobs.PathOf(layout, digest), manifest, cancellationToken).ConfigureAwait(false);
            var annotations = new JsonObject();
            if (image.TryGetProperty("RepoTags", out var tags) && tags.ValueKind == JsonValueKind.Array && tags.GetArrayLength() > 0)
            {
                // The layout reader matches the full name and its tag.
                annotations["io.containerd.image.name"] = tags[0].GetString();
            }

            index.Add(new JsonObject { ["mediaType"] = MediaTypes.DockerManifest, ["digest"] = digest, ["size"] = manifest.LongLength, ["annotations"] = annotations });
        }

        var top = new JsonObject { ["schemaVersion"] = 2, ["manifests"] = index };
        await File.WriteAllBytesAsync(Path.Combine(layout, "index.json"), ManifestJson.Write(top, MediaTypes.OciIndex), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One image of a docker-archive as a Docker v2 manifest (the engine's own format, so the image ID stays the config digest).</summary>
    private static async Task<byte[]> ConvertImageAsync(string unpacked, string layout, JsonElement image, string shownAs, CancellationToken cancellationToken)
    {
        var configName = image.TryGetProperty("Config", out var c) ? c.GetString() : null;
        var layerNames = image.TryGetProperty("Layers", out var l) && l.ValueKind == JsonValueKind.Array ? l.EnumerateArray().Select(e => e.GetString()!).ToList() : null;
        if (configName is null || layerNames is null)
        {
            throw new EcrPushException($"{shownAs}: an image in its manifest.json has no Config or no Layers. Write the archive again.");
        }

        var configPath = Inside(unpacked, configName, shownAs);
        var configBytes = await File.ReadAllBytesAsync(configPath, cancellationToken).ConfigureAwait(false);
        var configDigest = Sha256.Of(configBytes);
        await File.WriteAllBytesAsync(LayoutBlobs.PathOf(layout, configDigest), configBytes, cancellationToken).ConfigureAwait(false);
        var diffIds = JsonDocument.Parse(configBytes).RootElement.TryGetProperty("rootfs", out var rootfs) && rootfs.TryGetProperty("diff_ids", out var ids)
            ? ids.EnumerateArray().Select(e => e.GetString()).ToList()
            : [];
        if (diffIds.Count != layerNames.Count)
        {
            throw new EcrPushException($"{shownAs}: the config {configName} lists {diffIds.Count} layers (rootfs.diff_ids), manifest.json {layerNames.Count}. The archive is damaged; write it again.");
        }

        // Layers compress on all cores at once; each is one streaming pass, so memory does not grow with size.
        var layers = new (string Digest, long Size)[layerNames.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, layerNames.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var (diffId, digest, size) = await CompressLayerAsync(Inside(unpacked, layerNames[i], shownAs), layout, ct).ConfigureAwait(false);
                if (diffId != diffIds[i])
                {
                    throw new EcrPushException($"{shownAs}: the layer {layerNames[i]} is {diffId}, but the config says {diffIds[i]}. The archive is damaged; write it again.");
                }

                layers[i] = (digest, size);
            }).ConfigureAwait(false);

        var manifest = new JsonObject
        {
            ["config"] = new JsonObject { ["mediaType"] = MediaTypes.DockerConfig, ["size"] = configBytes.LongLength, ["digest"] = configDigest },
            ["layers"] = new JsonArray([.. layers.Select(layer => (JsonNode)new JsonObject { ["mediaType"] = MediaTypes.DockerLayerGzip, ["size"] = layer.Size, ["digest"] = layer.Digest })]),
        };
        return ManifestJson.Write(manifest, MediaTypes.DockerManifest);
    }

    /// <summary>gzip-compresses a layer into the layout, hashing the uncompressed bytes (diff_id) and the compressed ones (digest) in the same pass.</summary>
    private static async Task<(string DiffId, string Digest, long Size)> CompressLayerAsync(string path, string layout, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(layout, "blobs", "sha256", $"tmp-{Guid.NewGuid():N}");
        using var uncompressedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var compressedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size;
        var input = File.OpenRead(path);
        await using (input.ConfigureAwait(false))
        {
            var gzipped = input.ReadByte() == 0x1F && input.ReadByte() == 0x8B;
            input.Position = 0;
            var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using (output.ConfigureAwait(false))
            {
                var hashed = new HashingWriteStream(output, compressedHash);
                await using (hashed.ConfigureAwait(false))
                {
                    if (gzipped)
                    {
                        // Already compressed (some tools write that): uploaded as it is; the diff_id is of its content.
                        await input.CopyToAsync(hashed, cancellationToken).ConfigureAwait(false);
                        input.Position = 0;
                        var content = new GZipStream(input, CompressionMode.Decompress, leaveOpen: true);
                        await using (content.ConfigureAwait(false))
                        {
                            await HashAsync(content, uncompressedHash, null, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        var gzip = new GZipStream(hashed, CompressionLevel.Fastest, leaveOpen: true);
                        await using (gzip.ConfigureAwait(false))
                        {
                            await HashAsync(input, uncompressedHash, gzip, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    size = hashed.Length;
                }
            }
        }

        var digest = Sha256.Of(compressedHash);
        var final = LayoutBlobs.PathOf(layout, digest);
        File.Move(temporary, final, overwrite: true);
        return (Sha256.Of(uncompressedHash), digest, size);
    }

    private static async Task HashAsync(Stream input, IncrementalHash hash, Stream? copyTo, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int read;
            while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                if (copyTo is not null)
                {
                    await copyTo.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A path named inside the archive, kept inside the folder it was unpacked to.</summary>
    private static string Inside(string root, string name, string shownAs)
    {
        var full = Path.GetFullPath(Path.Combine(root, name));
        if (!full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new EcrPushException($"{shownAs}: its manifest.json names {SettingsValidator.Show(name)}, outside the archive. It is not a docker-archive to trust.");
        }

        return File.Exists(full) ? full : throw new EcrPushException($"{shownAs} lacks {name}, which its manifest.json lists. The archive is truncated or damaged; write it again.");
    }

    private static bool ChecksumMatches(ReadOnlySpan<byte> header)
    {
        var expected = 0L;
        foreach (var b in header.Slice(148, 8))
        {
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                expected = (expected * 8) + (b - '0');
            }
        }

        long sum = 0;
        for (var i = 0; i < 512; i++)
        {
            sum += i is >= 148 and < 156 ? ' ' : header[i];
        }

        return sum == expected && expected != 0;
    }

    /// <summary>Counts and hashes what is written through it.</summary>
    private sealed class HashingWriteStream(Stream inner, IncrementalHash hash) : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            hash.AppendData(buffer, offset, count);
            _length += count;
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            hash.AppendData(buffer.Span);
            _length += buffer.Length;
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
