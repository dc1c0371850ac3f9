using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace Ecr.Tests.Sources;

/// <summary>Image archives written byte by byte in a folder of the test's: a docker-archive as docker save writes one, or any tar.</summary>
internal static class TestArchive
{
    /// <summary>A docker-archive as docker save writes one: manifest.json, the config, each layer an uncompressed tar in a folder of its own.</summary>
    public static async Task<(string Archive, byte[] Config)> DockerAsync(string folder, IReadOnlyList<byte[]> layers, bool gzip, IReadOnlyList<string>? diffIds = null, IReadOnlyList<string>? layerNames = null)
    {
        var names = layerNames ?? [.. layers.Select((_, i) => $"layer{i}/layer.tar")];
        var config = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray([.. (diffIds ?? [.. layers.Select(TestLayout.Digest)]).Select(id => (JsonNode)id)]) },
        }.ToJsonString());
        var manifest = new JsonArray(new JsonObject { ["Config"] = "config.json", ["RepoTags"] = new JsonArray("web:1"), ["Layers"] = new JsonArray([.. names.Select(n => (JsonNode)n)]) });
        var path = Path.Combine(folder, gzip ? "web.tar.gz" : "web.tar");
        await TarAsync(path, gzip, [
            ("manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString())),
            ("config.json", config),
            .. layers.Select((layer, i) => (layerNames is null ? names[i] : $"layer{i}/layer.tar", layer)),
        ]);
        return (path, config);
    }

    /// <summary>A tar of the given entries, gzip-compressed or not.</summary>
    public static async Task TarAsync(string path, bool gzip, IEnumerable<(string Name, byte[] Content)> entries)
    {
        await using var file = File.Create(path);
        await using Stream output = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        await using var tar = new TarWriter(output, TarEntryFormat.Pax);
        foreach (var (name, content) in entries)
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
        }
    }

    /// <summary>A layer: a tar of one file.</summary>
    public static byte[] LayerTar(string file, string text)
    {
        using var bytes = new MemoryStream();
        using (var tar = new TarWriter(bytes, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, file) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
        }

        return bytes.ToArray();
    }
}
