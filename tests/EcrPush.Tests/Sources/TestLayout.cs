using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Ecr.Tests.Sources;

/// <summary>An OCI image layout written byte by byte in a temp folder: blobs, manifests, indexes, index.json entries.</summary>
internal sealed class TestLayout : IDisposable
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    private readonly JsonArray _entries = [];

    public TestLayout()
    {
        Path = Directory.CreateTempSubdirectory("ecrpush-layout-").FullName;
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "blobs", "sha256"));
        File.WriteAllText(System.IO.Path.Combine(Path, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);

    public Task WriteIndexAsync()
        => File.WriteAllTextAsync(System.IO.Path.Combine(Path, "index.json"), new JsonObject { ["schemaVersion"] = 2, ["manifests"] = _entries.DeepClone() }.ToJsonString());

    /// <summary>A manifest of one config and one layer made of <paramref name="layerText"/>; returns its digest.</summary>
    public string Manifest(bool withMediaType, string layerText) => ManifestWithConfig(withMediaType, layerText).Manifest;

    public (string Manifest, string Config) ManifestWithConfig(bool withMediaType, string layerText)
    {
        var config = Blob(Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"note\":\"{layerText}\"}}"));
        var layer = Blob(Encoding.UTF8.GetBytes(layerText));
        var manifest = new JsonObject { ["schemaVersion"] = 2 };
        if (withMediaType)
        {
            manifest["mediaType"] = OciManifest;
        }

        manifest["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = config.Digest, ["size"] = config.Size };
        manifest["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip", ["digest"] = layer.Digest, ["size"] = layer.Size });
        return (Blob(Encoding.UTF8.GetBytes(manifest.ToJsonString())).Digest, config.Digest);
    }

    public string Index(params JsonObject[] manifests)
        => Blob(Encoding.UTF8.GetBytes(new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json", ["manifests"] = new JsonArray(manifests) }.ToJsonString())).Digest;

    public JsonObject Descriptor(string digest, JsonObject platform, JsonObject? annotations = null)
    {
        var descriptor = new JsonObject { ["mediaType"] = OciManifest, ["digest"] = digest, ["size"] = new FileInfo(BlobPath(digest)).Length, ["platform"] = platform };
        if (annotations is not null)
        {
            descriptor["annotations"] = annotations;
        }

        return descriptor;
    }

    public void Entry(string digest, string mediaType, string? refName)
    {
        var entry = new JsonObject { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = new FileInfo(BlobPath(digest)).Length };
        if (refName is not null)
        {
            entry["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = refName };
        }

        _entries.Add(entry);
    }

    public (string Digest, long Size) Blob(byte[] bytes)
    {
        var digest = Digest(bytes);
        File.WriteAllBytes(BlobPath(digest), bytes);
        return (digest, bytes.LongLength);
    }

    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public string BlobPath(string digest) => System.IO.Path.Combine(Path, "blobs", "sha256", digest[7..]);
}
