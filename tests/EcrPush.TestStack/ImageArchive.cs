using System.Formats.Tar;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Ecr.TestStack;

/// <summary>
/// Composes, in memory, the archive that <c>docker save</c> writes (and <c>docker load</c> reads) for an image
/// <c>FROM scratch</c> whose every layer holds one file of random bytes. Loading such an archive takes
/// milliseconds per layer, where the classic builder spends about a second on each COPY step.
/// </summary>
internal static class ImageArchive
{
    /// <summary>The archive, positioned at its start, and the ID the engine will give the image.</summary>
    /// <param name="reference">The tag, <c>name:tag</c>.</param>
    /// <param name="layers">How many layers.</param>
    /// <param name="bytesPerLayer">The size of each layer's file.</param>
    public static (MemoryStream Archive, string ImageId) Create(string reference, int layers, int bytesPerLayer)
    {
        var created = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
        var layerTars = Enumerable.Range(0, layers).Select(layer => CreateLayer(layer, bytesPerLayer)).ToList();
        var diffIds = layerTars.Select(tar => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar))).ToList();

        // The image ID is the digest of exactly these configuration bytes.
        var configuration = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["architecture"] = ArchitectureName(),
            ["os"] = "linux",
            ["created"] = created,
            ["config"] = new Dictionary<string, object>(),
            ["rootfs"] = new Dictionary<string, object> { ["type"] = "layers", ["diff_ids"] = diffIds },
            ["history"] = Enumerable.Range(0, layers)
                .Select(layer => new Dictionary<string, object>
                {
                    ["created"] = created,
                    ["created_by"] = string.Create(CultureInfo.InvariantCulture, $"LocalEcrStack: COPY layer{layer}.bin /"),
                })
                .ToList(),
        });
        var configurationHex = Convert.ToHexStringLower(SHA256.HashData(configuration));
        var layerPaths = diffIds.Select(diffId => diffId["sha256:".Length..] + "/layer.tar").ToList();
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new[]
        {
            new Dictionary<string, object>
            {
                ["Config"] = configurationHex + ".json",
                ["RepoTags"] = new[] { reference },
                ["Layers"] = layerPaths,
            },
        });

        var archive = new MemoryStream();
        using (var tar = new TarWriter(archive, TarEntryFormat.Ustar, leaveOpen: true))
        {
            Add(tar, configurationHex + ".json", configuration);
            for (var layer = 0; layer < layers; layer++)
            {
                Add(tar, layerPaths[layer], layerTars[layer]);
            }

            Add(tar, "manifest.json", manifest);
        }

        archive.Position = 0;
        return (archive, "sha256:" + configurationHex);
    }

    /// <summary>A layer: a tar holding <c>layer&lt;n&gt;.bin</c> of random bytes, which make it distinct from any other.</summary>
    private static byte[] CreateLayer(int layer, int bytes)
    {
        using var stream = new MemoryStream();
        using (var tar = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: true))
        {
            Add(tar, string.Create(CultureInfo.InvariantCulture, $"layer{layer}.bin"), RandomNumberGenerator.GetBytes(bytes));
        }

        return stream.ToArray();
    }

    private static void Add(TarWriter tar, string name, byte[] content)
    {
        using var data = new MemoryStream(content, writable: false);
        tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = data,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        });
    }

    // The engine runs on this machine, so the image is for this machine's architecture, named as the OCI spec does.
    private static string ArchitectureName() => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        System.Runtime.InteropServices.Architecture.LoongArch64 => "loong64",
        var other => throw new PlatformNotSupportedException($"LocalEcrStack does not know the OCI name of architecture {other}."),
    };
}
