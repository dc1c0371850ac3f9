using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ecr.IntegrationTests.Sources;

/// <summary>
/// An OCI layout written here, for sizes that skopeo would take long to make (a layer of tens of MiB of random bytes,
/// uncompressed) and for a manifest as the OCI spec allows it: without a top-level <c>mediaType</c> (its index entry has
/// it). The engine pulls such an image back: its ID is the config digest.
/// </summary>
internal static class TestLayout
{
    /// <summary>Writes a layout at <paramref name="layout"/> with one image, named <paramref name="refName"/>, of one layer holding <paramref name="bytes"/> random bytes; returns its config digest.</summary>
    public static async Task<string> WriteAsync(string layout, string refName, long bytes)
    {
        var blobs = Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256")).FullName;
        var tar = Path.Combine(layout, "layer.tar");
        await using (var file = File.Create(tar))
        await using (var writer = new TarWriter(file, TarEntryFormat.Pax))
        {
            var data = new MemoryStream();
            var chunk = new byte[1024 * 1024];
            for (var left = bytes; left > 0; left -= chunk.Length)
            {
                RandomNumberGenerator.Fill(chunk);
                data.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
            }

            data.Position = 0;
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "data.bin") { DataStream = data, Mode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead });
        }

        var layer = await MoveToBlobAsync(blobs, tar);
        var config = await WriteBlobAsync(blobs, new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject(),
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(layer.Digest) },
        });
        var manifest = await WriteBlobAsync(blobs, new JsonObject
        {
            ["schemaVersion"] = 2,
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", config),
            ["layers"] = new JsonArray(Descriptor("application/vnd.oci.image.layer.v1.tar", layer)),
        });
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(Descriptor("application/vnd.oci.image.manifest.v1+json", manifest, refName)),
        };
        await File.WriteAllTextAsync(Path.Combine(layout, "index.json"), index.ToJsonString());
        await File.WriteAllTextAsync(Path.Combine(layout, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        return config.Digest;
    }

    /// <summary>The size of the layer blob of a layout that <see cref="WriteAsync"/> wrote: the file, its tar headers, padding and the end.</summary>
    public static long LayerSize(string layout)
    {
        var top = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "blobs", "sha256", ((string)top["manifests"]![0]!["digest"]!)[7..])))!;
        return (long)manifest["layers"]![0]!["size"]!;
    }

    private static JsonObject Descriptor(string mediaType, (string Digest, long Size) blob, string? refName = null)
    {
        var descriptor = new JsonObject { ["mediaType"] = mediaType, ["digest"] = blob.Digest, ["size"] = blob.Size };
        if (refName is not null)
        {
            descriptor["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = refName };
        }

        return descriptor;
    }

    private static async Task<(string Digest, long Size)> WriteBlobAsync(string blobs, JsonObject json)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(json);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        await File.WriteAllBytesAsync(Path.Combine(blobs, digest[7..]), bytes);
        return (digest, bytes.Length);
    }

    private static async Task<(string Digest, long Size)> MoveToBlobAsync(string blobs, string file)
    {
        string digest;
        await using (var stream = File.OpenRead(file))
        {
            digest = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
        }

        var size = new FileInfo(file).Length;
        File.Move(file, Path.Combine(blobs, digest[7..]));
        return (digest, size);
    }
}
