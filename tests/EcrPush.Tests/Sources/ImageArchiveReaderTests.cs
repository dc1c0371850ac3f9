using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Ecr.Internal.Images;
using Ecr.Internal.Sources;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Sources;

/// <summary>
/// Image archives read into an image graph: a docker-archive (docker save, the .NET SDK's archive) converted into a
/// Docker v2 manifest whose config is the one saved (the same image ID), its layers gzip-compressed and checked against
/// the config's diff_ids; an OCI archive as it stands; plain or gzip-compressed; the damaged ones named.
/// </summary>
public sealed class ImageArchiveReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ecrpush-archive-test-").FullName;
    private readonly RecordingLog _log = new();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_docker_archive_becomes_a_Docker_v2_manifest_of_the_saved_config_with_gzip_layers_checked_against_its_diff_ids()
    {
        var layer = LayerTar("hello.txt", "hello");
        var (archive, config) = await DockerArchiveAsync([layer], gzip: false);

        using var image = await ImageArchiveReader.OpenAsync(Archive(archive), _log, CancellationToken.None);

        var root = image.Root;
        Assert.Equal(MediaTypes.DockerManifest, root.MediaType);
        Assert.Equal(Digest(config), root.ConfigDigest);
        var compressed = Assert.Single(root.Layers);
        Assert.Equal(MediaTypes.DockerLayerGzip, compressed.MediaType);
        await using var blob = await image.Blobs.OpenAsync(compressed, CancellationToken.None);
        using var bytes = new MemoryStream();
        await blob.CopyToAsync(bytes);
        Assert.Equal(compressed.Size, bytes.Length);
        Assert.Equal(compressed.Digest, Digest(bytes.ToArray()));
        Assert.Equal(layer, Gunzip(bytes.ToArray()));
        Assert.Equal(root.Digest, Digest(root.Bytes));
        Assert.StartsWith("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",", Encoding.UTF8.GetString(root.Bytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gzip_compressed_archive_is_read_the_same_and_its_scratch_folder_goes_with_the_image()
    {
        var (archive, config) = await DockerArchiveAsync([LayerTar("a.txt", "a"), LayerTar("b.txt", "b")], gzip: true);
        var before = ScratchFolders();

        var image = await ImageArchiveReader.OpenAsync(Archive(archive), _log, CancellationToken.None);

        // This read's scratch folder: the new one that holds this archive's config (other tests may unpack at the same time).
        var made = ScratchFolders().Except(before).Where(folder => File.Exists(Path.Combine(folder, "archive", "config.json")) && File.ReadAllBytes(Path.Combine(folder, "archive", "config.json")).SequenceEqual(config)).ToList();
        image.Dispose();

        Assert.Equal(Digest(config), image.Root.ConfigDigest);
        Assert.Equal(2, image.Root.Layers.Count);
        Assert.False(Directory.Exists(Assert.Single(made)));
    }

    [Fact]
    public async Task An_OCI_archive_is_the_layout_it_holds_read_as_it_stands()
    {
        using var layout = new TestLayout();
        var manifest = layout.Manifest(withMediaType: true, layerText: "oci");
        layout.Entry(manifest, TestLayout.OciManifest, refName: "1");
        await layout.WriteIndexAsync();
        var archive = Path.Combine(_folder, "oci.tar");
        await TarFile.CreateFromDirectoryAsync(layout.Path, archive, includeBaseDirectory: false);

        using var image = await ImageArchiveReader.OpenAsync(Archive(archive, tag: "1"), _log, CancellationToken.None);

        Assert.Equal(manifest, image.Root.Digest);
    }

    [Fact]
    public async Task A_layer_that_is_not_what_the_config_says_is_named()
    {
        var layer = LayerTar("a.txt", "a");
        var (archive, _) = await DockerArchiveAsync([layer], gzip: false, diffIds: ["sha256:" + new string('0', 64)]);

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => ImageArchiveReader.OpenAsync(Archive(archive), _log, CancellationToken.None));

        Assert.Equal($"The image archive {archive}: the layer layer0/layer.tar is {Digest(layer)}, but the config says sha256:{new string('0', 64)}. The archive is damaged; write it again.", exception.Message);
    }

    [Fact]
    public async Task A_truncated_archive_is_named()
    {
        var (archive, _) = await DockerArchiveAsync([LayerTar("a.txt", new string('a', 10_000))], gzip: false);
        var bytes = await File.ReadAllBytesAsync(archive);
        await File.WriteAllBytesAsync(archive, bytes[..(bytes.Length / 2)]);

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => ImageArchiveReader.OpenAsync(Archive(archive), _log, CancellationToken.None));

        Assert.StartsWith($"The image archive {archive}", exception.Message, StringComparison.Ordinal);
        Assert.Contains("write it again", exception.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_manifest_json_that_names_a_file_outside_the_archive_is_refused()
    {
        var (archive, _) = await DockerArchiveAsync([LayerTar("a.txt", "a")], gzip: false, layerNames: ["../../etc/passwd"]);

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => ImageArchiveReader.OpenAsync(Archive(archive), _log, CancellationToken.None));

        Assert.Equal($"The image archive {archive}: its manifest.json names '../../etc/passwd', outside the archive. It is not a docker-archive to trust.", exception.Message);
    }

    private static ImageFileSpec Archive(string path, string? tag = null) => new(ImageFileKind.Archive, path, tag, null);

    private Task<(string Archive, byte[] Config)> DockerArchiveAsync(IReadOnlyList<byte[]> layers, bool gzip, IReadOnlyList<string>? diffIds = null, IReadOnlyList<string>? layerNames = null)
        => TestArchive.DockerAsync(_folder, layers, gzip, diffIds, layerNames);

    private static byte[] LayerTar(string file, string text) => TestArchive.LayerTar(file, text);

    private static byte[] Gunzip(byte[] bytes)
    {
        using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static string Digest(byte[] bytes) => TestLayout.Digest(bytes);

    private static IEnumerable<string> ScratchFolders() => Directory.GetDirectories(Path.GetTempPath(), "ecrpush-*").Where(d => !d.Contains("archive-test", StringComparison.Ordinal) && !d.Contains("layout", StringComparison.Ordinal));
}
