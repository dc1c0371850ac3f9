using System.Net;
using System.Text;
using Ecr.Internal.Images;
using Ecr.Internal.Registry;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Registry;

/// <summary>
/// The one writer of an image into a registry, on a registry in memory: what it sends for a blob (HEAD, a mount, one PUT
/// or parts), the order of manifests and tags, and which tags it says landed when one fails.
/// </summary>
public sealed class ImageWriterTests : IDisposable
{
    private const string Host = "registry.test";
    private const int Part = RegistryClient.UploadPartSize;

    private readonly FakeRegistry _registry = new();
    private readonly RecordingLog _log = new();

    public void Dispose() => _registry.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_blob_over_64_MiB_goes_up_in_16_MiB_parts_a_shorter_last_one_and_a_PUT_without_a_body_whether_PATCH_is_answered_202_or_201(bool answeredLikeEcr)
    {
        _registry.PatchAnswersCreated = answeredLikeEcr;
        var size = (4L * Part) + (2 * 1024 * 1024) + 7;
        var (image, blobs) = Image(Random(size));

        var written = await Writer().WriteAsync(image, "team/web", ["1"], 1, CancellationToken.None);

        var layer = image.Root.Layers[0];
        var parts = _registry.UploadBodies.Where(b => b.Method == "PATCH").ToList();
        Assert.Equal(["0-16777215", "16777216-33554431", "33554432-50331647", "50331648-67108863", $"67108864-{size - 1}"], parts.Select(p => p.ContentRange));
        Assert.Equal([Part, Part, Part, Part, size - (4L * Part)], parts.Select(p => p.Length));
        Assert.Equal(("PUT", (string?)null, 0L), _registry.UploadBodies.Last());
        Assert.True(_registry.HasBlob(Host, "team/web", layer.Digest));
        Assert.Equal(image.Root.Digest, written.Digest);
        Assert.Equal(blobs.Bytes[layer.Digest].Length, layer.Size);
    }

    [Fact]
    public async Task A_blob_of_64_MiB_goes_up_in_one_PUT()
    {
        var (image, _) = Image(Random(RegistryClient.PartedUploadThreshold));

        await Writer().WriteAsync(image, "team/web", ["1"], 1, CancellationToken.None);

        Assert.DoesNotContain(_registry.UploadBodies, b => b.Method == "PATCH");
        Assert.Contains(_registry.UploadBodies, b => b.Method == "PUT" && b.Length == RegistryClient.PartedUploadThreshold);
    }

    [Fact]
    public async Task A_big_blob_whose_bytes_do_not_match_its_digest_never_completes_its_upload()
    {
        var (image, blobs) = Image(Random((4L * Part) + 100));
        var layer = image.Root.Layers[0];
        blobs.Bytes[layer.Digest][^1] ^= 0xFF;

        var failed = await Assert.ThrowsAsync<WriteFailedException>(() => Writer().WriteAsync(image, "team/web", ["1"], 1, CancellationToken.None));

        Assert.Equal($"memory blob {layer.Digest}: its bytes are {FakeRegistry.DigestOf(blobs.Bytes[layer.Digest])}", failed.InnerException!.Message);
        Assert.Empty(failed.LandedTags);
        Assert.DoesNotContain(_registry.UploadBodies, b => b.Method == "PUT" && b.Length == 0);
        Assert.InRange(_registry.UploadBodies.Count(b => b.Method == "PATCH"), 4, 5);
        Assert.False(_registry.HasBlob(Host, "team/web", layer.Digest));
        Assert.Empty(_registry.Tags(Host, "team/web"));
    }

    [Fact]
    public async Task A_copy_into_another_repository_of_the_same_registry_mounts_each_blob_from_the_source_repository()
    {
        var (image, blobs) = Image(Encoding.UTF8.GetBytes("a layer"), new BlobLocation(Host, "team/web"));
        foreach (var bytes in blobs.Bytes.Values)
        {
            _registry.AddBlob(Host, "team/web", bytes);
        }

        await Writer().WriteAsync(image, "team/other", ["1"], 2, CancellationToken.None);

        var mounts = _registry.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal(2, mounts.Count);
        Assert.All(mounts, mount => Assert.EndsWith("&from=team%2Fweb", mount.PathAndQuery, StringComparison.Ordinal));
        Assert.All(mounts, mount => Assert.Equal(201, mount.Status));
        Assert.Empty(_registry.UploadBodies);
        Assert.Contains(_log.Lines, l => l.StartsWith($"INF Uploaded 0 of 2 blobs from {Host}/team/web (0 bytes; the others were in {Host}/team/other, or mounted from another of its repositories: 2)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_mount_answered_202_uploads_through_the_session_it_opened()
    {
        _registry.Mounts = false;
        var (image, blobs) = Image(Encoding.UTF8.GetBytes("a layer"), new BlobLocation(Host, "team/web"));
        foreach (var bytes in blobs.Bytes.Values)
        {
            _registry.AddBlob(Host, "team/web", bytes);
        }

        await Writer().WriteAsync(image, "team/other", ["1"], 1, CancellationToken.None);

        Assert.Equal(2, _registry.Requests.Count(r => r.Method == "POST"));
        Assert.All(_registry.Requests.Where(r => r.Method == "POST"), post => Assert.Equal(202, post.Status));
        Assert.Equal(2, _registry.UploadBodies.Count(b => b.Method == "PUT" && b.Length > 0));
        Assert.Equal(["1"], _registry.Tags(Host, "team/other"));
    }

    [Fact]
    public async Task Blobs_the_repository_holds_are_not_sent_and_the_root_goes_up_under_each_tag_after_its_blobs()
    {
        var (image, blobs) = Image(Encoding.UTF8.GetBytes("a layer"));
        _registry.AddBlob(Host, "team/web", blobs.Bytes[image.Root.Layers[0].Digest]);

        var written = await Writer().WriteAsync(image, "team/web", ["1.4.2", "latest"], 3, CancellationToken.None);

        Assert.Equal(["1.4.2", "latest"], written.Tags);
        Assert.Single(_registry.UploadBodies);
        var order = _registry.Requests.Select(r => $"{r.Method} {r.PathAndQuery.Split('?')[0]}").ToList();
        Assert.True(order.FindLastIndex(r => r.Contains("/blobs/", StringComparison.Ordinal)) < order.FindIndex(r => r.StartsWith("PUT /v2/team/web/manifests/", StringComparison.Ordinal)));
        Assert.Equal(["PUT /v2/team/web/manifests/1.4.2", "PUT /v2/team/web/manifests/latest"], order.Where(r => r.StartsWith("PUT /v2/team/web/manifests/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_tag_that_fails_after_another_landed_says_which_landed()
    {
        var (image, _) = Image(Encoding.UTF8.GetBytes("a layer"));
        _registry.Intercept = request => request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.EndsWith("/manifests/latest", StringComparison.Ordinal)
            ? FakeRegistry.Error(HttpStatusCode.BadRequest, "TAG_INVALID", "The image tag 'latest' already exists in the 'team/web' repository and cannot be overwritten because the repository is immutable.")
            : null;

        var failed = await Assert.ThrowsAsync<WriteFailedException>(() => Writer().WriteAsync(image, "team/web", ["1.4.2", "latest"], 1, CancellationToken.None));

        Assert.Equal(["1.4.2"], failed.LandedTags);
        Assert.Equal(image.Root.Digest, failed.Digest);
        Assert.Equal(RegistryErrorCode.TagInvalid, Assert.IsType<RegistryException>(failed.InnerException).Code);
        Assert.Equal(["1.4.2"], _registry.Tags(Host, "team/web"));
    }

    [Fact]
    public async Task An_index_goes_up_children_first_then_under_its_tags()
    {
        var blobs = new MemoryBlobs();
        var amd = Manifest(blobs, "amd64") with { Platform = "linux/amd64" };
        var arm = Manifest(blobs, "arm64") with { Platform = "linux/arm64" };
        var indexBytes = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[{"mediaType":"{{MediaTypes.OciManifest}}","digest":"{{amd.Digest}}","size":{{amd.Bytes.Length}}},{"mediaType":"{{MediaTypes.OciManifest}}","digest":"{{arm.Digest}}","size":{{arm.Bytes.Length}}}]}""");
        var index = new ImageManifest(MediaTypes.OciIndex, indexBytes, FakeRegistry.DigestOf(indexBytes), null, [], [amd, arm]);

        using var image = new ImageGraph(index, blobs);
        await Writer().WriteAsync(image, "team/web", ["1"], 2, CancellationToken.None);

        var manifests = _registry.Requests.Where(r => r.Method == "PUT" && r.PathAndQuery.Contains("/manifests/", StringComparison.Ordinal)).Select(r => r.PathAndQuery).ToList();
        Assert.Equal([$"/v2/team/web/manifests/{amd.Digest}", $"/v2/team/web/manifests/{arm.Digest}", "/v2/team/web/manifests/1"], manifests);
        Assert.Equal(indexBytes, _registry.Manifest(Host, "team/web", "1")!.Value.Bytes);
    }

    private ImageWriter Writer() => new(TestRegistries.Client(_registry, Host, log: _log), _log, new KnownBlobs());

    private static (ImageGraph Image, MemoryBlobs Blobs) Image(byte[] layer, BlobLocation? location = null)
    {
        var blobs = new MemoryBlobs(location);
        var root = Manifest(blobs, "amd64", layer);
        return (new ImageGraph(root, blobs), blobs);
    }

    private static ImageManifest Manifest(MemoryBlobs blobs, string architecture, byte[]? layerBytes = null)
    {
        var config = blobs.Add(Encoding.UTF8.GetBytes($$"""{"architecture":"{{architecture}}","os":"linux"}"""), "application/vnd.oci.image.config.v1+json");
        var layer = blobs.Add(layerBytes ?? Encoding.UTF8.GetBytes($"layer for {architecture}"));
        var bytes = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","config":{"mediaType":"{{config.MediaType}}","digest":"{{config.Digest}}","size":{{config.Size}}},"layers":[{"mediaType":"{{layer.MediaType}}","digest":"{{layer.Digest}}","size":{{layer.Size}}}]}""");
        return new ImageManifest(MediaTypes.OciManifest, bytes, FakeRegistry.DigestOf(bytes), config, [layer], []);
    }

    private static byte[] Random(long size)
    {
        var bytes = new byte[size];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return bytes;
    }
}
